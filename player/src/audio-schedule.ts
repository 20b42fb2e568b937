// The ws mode's audio path after the decoder: a frame's place on the output from its playout time, and the A/V sync's master clock from what the output plays.
// Runtime-neutral: the page and the simulated playback in test/player use the same code.
import type { AudioOut, DecodedAudio, OutputContext } from './audio-out.js';
import type { AudioOutputMap } from './audio-output-map.js';
import type { AvSync } from './av-sync.js';

/**
 * Between release from the jitter buffer and being heard: decode time, on top of what the output
 * needs (AudioOut.scheduleAheadMs: its buffering, ~40 ms in Chromium, its lead and its guard).
 * Without the output's buffering every frame arrived after its start time had passed, and the
 * output restarted its schedule several times a second.
 */
export const AUDIO_DECODE_MARGIN_MS = 15;

/**
 * Schedules decoded audio whose jitter-buffer playout time is `playoutMs` (local ms) and records
 * where it went in `map`. Returns the context time it starts at, or undefined when the output
 * skipped it (its schedule is catching up).
 */
export function scheduleAudio<C extends OutputContext>(out: AudioOut<C>, map: AudioOutputMap, data: DecodedAudio, rtpTime: number, clockRate: number, playoutMs: number): number | undefined {
  // Read before play(): it closes the frame, and a closed AudioData reports 0 frames.
  const samples = (data.numberOfFrames * clockRate) / data.sampleRate;
  const playAt = playoutMs + AUDIO_DECODE_MARGIN_MS + out.scheduleAheadMs();
  const at = out.play(data, (rtpTime * 1000) / clockRate, playAt);
  if (at === undefined) return undefined;
  map.schedule(at, rtpTime >>> 0, samples, out.lastRate);
  return at;
}

/** Tells the A/V sync which audio RTP time is heard at `perfNow` (or where the output ran dry); returns it. */
export function updateAudioPosition<C extends OutputContext>(out: AudioOut<C>, map: AudioOutputMap, sync: AvSync, perfNow: number): number | undefined {
  const heard = map.heard(out.outputTime(perfNow));
  if (heard === undefined) return undefined;
  sync.setAudioPosition(heard.timestamp, perfNow, heard.running);
  return heard.timestamp;
}
