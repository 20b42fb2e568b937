// The RTSP replay (playback by time) part of the config (issue 15): how much of a recording one playing session holds in memory.
import { z } from 'zod';

export const RECORD_PLAYBACK_CONFIG_FIELDS = {
  /** Bytes of recorded samples one RTSP playback session holds at once (default 128 MiB, about 8 min of 2 Mbit/s); the next window loads as the last one ends. */
  recordPlaybackMaxBytes: z.number().int().min(65536).default(128 * 1024 * 1024),
};
