// GET /<path>/subtitles.vtt[?lang=]: a media file's subtitles as one WebVTT document on its media timeline (what progressive players, such as the player's mp4 mode, draw).
import type express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { languageMatches } from '../../media/language.js';
import { formatWebVtt, type TextSource } from '../../media/subtitles.js';
import { PathNotFoundError } from '../../core/path-manager.js';
import type { HttpContext } from '../context.js';
import { HttpError } from '../errors.js';

export const SUBTITLES_ROUTE = /^\/(.+)\/subtitles\.vtt$/;

export function installSubtitleRoutes(app: express.Express, ctx: HttpContext): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const m = SUBTITLES_ROUTE.exec(req.path);
    if (!m) return next();
    // A path that names no stream may be a stored file called subtitles.vtt: the static media route serves it.
    serve(ctx, req, res, m[1]!).catch((e: unknown) => next(e instanceof PathNotFoundError ? undefined : e));
  });
}

/** `?lang=`: the source in that language (code or name) or of that menu name (an untagged one); without it the first. */
export function pickSource(sources: readonly TextSource[], lang: unknown): TextSource | undefined {
  const want = Array.isArray(lang) ? lang[0] : lang;
  if (typeof want !== 'string' || want === '') return sources[0];
  return sources.find((s) => languageMatches(want, s.language)) ?? sources.find((s) => s.name === want);
}

async function serve(ctx: HttpContext, req: Request, res: Response, raw: string): Promise<void> {
  let path: string;
  try {
    path = raw.split('/').map(decodeURIComponent).join('/');
  } catch {
    throw new HttpError(400, `the path ${raw} has a malformed percent escape`);
  }
  const resolved = await ctx.paths.resolve(path);
  if (resolved.kind !== 'file') {
    throw new HttpError(404, `/${path} is live: its captions are in the HLS subtitles rendition (/${path}/index.m3u8), not a file`);
  }
  const sources = resolved.file.subtitles ?? [];
  const source = pickSource(sources, req.query.lang);
  if (!source) {
    const have = sources.map((s) => s.language ?? s.name).join(', ');
    throw new HttpError(404, sources.length ? `/${path} has no subtitles in ${String(req.query.lang)} (it has: ${have})` : `/${path} has no subtitles (put a sidecar .vtt or .srt beside it)`);
  }
  res.status(200).setHeader('Content-Type', 'text/vtt; charset=utf-8');
  res.setHeader('Cache-Control', 'public, max-age=3600');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (source.language) res.setHeader('Content-Language', source.language);
  res.setHeader('X-Subtitles-Name', encodeURIComponent(source.name));
  if (req.method === 'HEAD') return void res.end();
  res.send(Buffer.from(formatWebVtt(source.cues), 'utf8'));
}
