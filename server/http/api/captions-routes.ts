// POST /api/v1/paths/<path>/captions {"text", "duration"?}: a cue on a live path at its current media time, for its HLS viewers and,
// on a path with `captions: true`, its RTSP readers of the T.140 caption track (docs/subtitles.md).
import express, { type Express, type Response } from 'express';
import type { HttpContext } from '../context.js';
import { HttpError } from '../errors.js';
import { CAPTIONS_ROUTE } from '../auth/rules.js';
import { captionsFor } from '../hls/live-captions.js';
import { captionTrackOf } from '../../core/caption-track.js';
import { cleanText } from '../../media/subtitles.js';

/** Seconds a cue shows when the body gives no duration. */
export const DEFAULT_CAPTION_SECONDS = 3;
const MAX_TEXT = 500;

function parseBody(body: unknown): { text: string; duration: number } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'give a JSON object: {"text": "Hello", "duration": 3}');
  const b = body as Record<string, unknown>;
  if (typeof b.text !== 'string' || b.text.trim() === '') throw new HttpError(400, '"text" must be a non-empty string');
  if (b.text.length > MAX_TEXT) throw new HttpError(400, `"text" must be at most ${MAX_TEXT} characters`);
  const d = b.duration ?? DEFAULT_CAPTION_SECONDS;
  if (typeof d !== 'number' || !(d > 0) || d > 60) throw new HttpError(400, '"duration" must be a number of seconds above 0 and at most 60');
  return { text: b.text, duration: d };
}

export function installCaptionRoutes(app: Express, ctx: HttpContext, json: (res: Response, body: unknown) => void): void {
  const body = express.json({ type: () => true, limit: 4096, strict: false });
  app.post(CAPTIONS_ROUTE, body, (req, res) => {
    const name = decodeURIComponent((req.params as Record<string, string>)[0]!);
    const { text, duration } = parseBody(req.body);
    const stream = ctx.paths.liveStreams().find((s) => s.name === name);
    if (!stream) throw new HttpError(404, `no live stream at /${name}: captions go on a path while it is published`);
    const cue = captionsFor(stream).add(text, duration);
    // The caption track (path config `captions: true`) sends at once, frames or not: its clock is the wall clock.
    const rtsp = captionTrackOf(stream)?.add(cleanText(text), duration) ?? false;
    if (!cue && !rtsp) throw new HttpError(503, `/${name} has carried no frame yet; retry shortly`, { 'Retry-After': '1' });
    json(res, { path: name, ...(cue ? { start: cue.start, end: cue.end } : {}), text: cue?.text ?? cleanText(text), rtsp });
  });
}
