// The captions part of the path config: a live path whose streams carry a T.140 text track for captions posted to the API (docs/subtitles.md).
import { z } from 'zod';

/** Per path only: whether a path's streams carry captions is a property of that path, not of the server. */
export const CAPTIONS_PATH_FIELDS = {
  /** Give the path's live streams a T.140 text track (m=text) that carries captions POSTed to /api/v1/paths/<path>/captions to RTSP readers (default false). */
  captions: z.boolean().optional(),
};
