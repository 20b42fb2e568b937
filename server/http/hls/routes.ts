// HTTP routes of HLS: /<path>/index.m3u8 (LL-HLS for live paths, VOD for files) and the init, segment and part files it names.
import type express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { PathNotFoundError } from '../../core/path-manager.js';
import type { HttpContext } from '../context.js';
import { HttpError } from '../errors.js';
import type { LiveHlsMuxer } from './live-muxer.js';
import { HlsMuxers } from './muxers.js';
import { formatMultivariant, variantsOf } from './multivariant.js';
import { formatPlaylist, parseBlockingQuery } from './playlist.js';
import { hlsTracks } from './segmenter.js';
import { queryToken, withToken } from './token-uris.js';
import { vodBandwidth, vodIndex, vodPlaylist, vodSegment, vodSpans, type VodIndex } from './vod.js';
import { audioAlternatives, multivariantPlaylist, renditionUri } from './renditions.js';
import type { Stream } from '../../core/stream.js';
import type { Track } from '../../media/track.js';
import type { SeekableMedia } from '../../core/seekable-media.js';
import { captionsOf } from './live-captions.js';
import { formatSubtitlePlaylist, MAX_SUBTITLE_RENDITIONS, parseSubsSegmentId, SUBS_URI, subsIndex, subsSegmentId, subtitleSegment as subtitleSpanText } from './subtitle-playlist.js';

/**
 * Path names hold "/", so the file name is matched at the end and the rest is the path. index.m3u8
 * is the multivariant playlist of a path with renditions or audio alternatives, else its media
 * playlist; media.m3u8 is always the media playlist of every track (a rendition list's main variant).
 */
const ROUTE = /^\/(.+)\/(?:(index\.m3u8|media\.m3u8|video\.m3u8|subs(?:-[1-9]\d{0,2})?\.m3u8|audio-\d{1,3}\.m3u8)|subs-([0-9a-f]+(?:s\d{1,3})?)-(\d{1,12})\.vtt|init-([0-9a-f]+(?:t\d{1,3})?)\.mp4|seg-([0-9a-f]+(?:t\d{1,3})?)-(\d{1,12})\.mp4|part-([0-9a-f]+)-(\d{1,12})-(\d{1,6})\.mp4)$/;

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
const VTT_TYPE = 'text/vtt';
/** Names are unique per muxer (live) or per file version (VOD), so a CDN may keep them for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** How long a playlist request waits for a live path's first complete segment. */
const FIRST_SEGMENT_WAIT_MS = 15_000;
/** The main stream's bandwidth in a multivariant playlist is what it carried over at least this long. */
const MEASURE_MS = 2000;

export function installHls(app: express.Express, ctx: HttpContext): void {
  const cfg = ctx.config;
  const muxers = new HlsMuxers(
    {
      partTarget: cfg.hlsPartDuration,
      segmentMin: cfg.hlsSegmentDuration,
      segmentCount: cfg.hlsSegmentCount,
      idleMs: cfg.hlsIdleTimeout * 1000,
    },
    ctx.logs?.HLS ?? ctx.log,
    ctx.paths.clients,
  );
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const m = ROUTE.exec(req.path);
    if (!m) {
      // A playlist name we do not serve (a player guessing "playlist.m3u8"): counted, then answered 404 further on.
      if (req.path.endsWith('.m3u8')) countRequest(ctx, 'other');
      return next();
    }
    const path = m[1]!;
    let job: Promise<void>;
    // Playlists count themselves (a blocking reload is told by its query).
    if (!m[2]) countRequest(ctx, m[3] || m[6] ? 'segment' : m[5] ? 'init' : 'part');
    if (m[3]) job = subtitleSegment(res, ctx, muxers, path, m[3], Number(m[4]));
    else if (m[2] === 'index.m3u8' && hasRenditions(ctx, path) && !parseBlockingQuery(req.query as Record<string, unknown>)) job = multivariant(req, res, ctx, path);
    else if (m[2]) job = playlist(req, res, ctx, muxers, path, m[2]);
    else if (m[5]) job = file(req, res, ctx, muxers, path, m[5], 'init', 0, 0);
    else if (m[6]) job = file(req, res, ctx, muxers, path, m[6], 'seg', Number(m[7]), 0);
    else job = file(req, res, ctx, muxers, path, m[8]!, 'part', Number(m[9]), Number(m[10]));
    job.catch(next);
  });
}

async function playlist(req: Request, res: Response, ctx: HttpContext, muxers: HlsMuxers, path: string, name: string): Promise<void> {
  const left = clientGone(res);
  const block = parseBlockingQuery(req.query as Record<string, unknown>);
  countRequest(ctx, block ? 'blocking_reload' : 'playlist');
  const token = queryToken(req.query as Record<string, unknown>);
  let resolved;
  try {
    resolved = await ctx.paths.resolve(path);
  } catch (e) {
    // The publisher left: players still reloading get the final playlist (EXT-X-ENDLIST) and finish
    // what they have, until the muxer goes idle.
    const ended = subsIndex(name) !== undefined ? undefined : muxers.get(path, renditionKey(name));
    if (e instanceof PathNotFoundError && ended?.ended && !ended.failure) {
      ended.lastRequestMs = Date.now();
      return send(res, PLAYLIST_TYPE, 'no-cache', formatPlaylist(withToken(ended.playlist(), token)));
    }
    throw e;
  }
  if (resolved.kind === 'file') {
    const idx = vodIndex(resolved.file, ctx.config.hlsSegmentDuration);
    // The index (and so the playlist) only changes with the file; a short max-age covers a replaced file.
    send(res, PLAYLIST_TYPE, 'public, max-age=60', vodPlaylistText(idx, resolved.file, path, name, token));
    return;
  }
  const stream = resolved.stream;
  if (hlsTracks(stream.tracks).length === 0) {
    const codecs = stream.tracks.map((t) => t.codec).join(', ');
    throw new HttpError(415, `/${path} carries ${codecs}: HLS needs H.264, H.265, VP9, AV1, AAC, Opus, MP3 or AC-3; read it over RTSP, /${path}/stream.mp4 (also LPCM and M-JPEG) or /${path}/stream.ts`);
  }
  if (name === SUBS_URI) return liveSubtitles(res, muxers, path, stream, token, left);
  const rendition = liveRendition(stream, path, name);
  if (rendition === 'multivariant') return liveMultivariant(res, muxers, path, stream, token, clientGone(res));
  const mux = muxers.forStream(path, stream, rendition.key, rendition.tracks);
  mux.lastRequestMs = Date.now();
  if (!mux.ready && !(await mux.waitUntil(() => mux.ready, FIRST_SEGMENT_WAIT_MS, left))) {
    if (left.aborted) return;
    throw unavailable(mux, `/${path} has no complete HLS segment yet (segments start at key frames); retry shortly`);
  }
  if (block) {
    // RFC 8216bis 6.2.5.2: a request more than two segments ahead of the playlist is an error, and
    // one that is not satisfied within three target durations gets 503.
    const last = mux.lastCompleteMsn;
    if (block.msn > last + 2) {
      throw new HttpError(400, `_HLS_msn=${block.msn} is too far ahead: the last segment of /${path}/index.m3u8 is ${last}`);
    }
    const waitMs = 3 * mux.targetDuration * 1000;
    const started = performance.now();
    const ready = await mux.waitUntil(() => mux.has(block.msn, block.part), waitMs, left);
    const outcome = ready ? 'ready' : left.aborted ? 'aborted' : mux.ended ? 'ended' : 'timeout';
    ctx.paths.observations.observe(HLS_BLOCKED_WAIT, { outcome }, (performance.now() - started) / 1000);
    if (!ready && !mux.ended) {
      if (left.aborted) return;
      const what = block.part === undefined ? `segment ${block.msn}` : `part ${block.part} of segment ${block.msn}`;
      throw unavailable(mux, `${what} of /${path} did not appear within ${waitMs / 1000} s`);
    }
  }
  mux.lastRequestMs = Date.now();
  // The plain URL must be fetched fresh (never a stale playlist under CAN-BLOCK-RELOAD). A blocking
  // reload's answer is final for its _HLS_msn/_HLS_part query: an HTTP cache (docs/nginx-hls-cache.conf)
  // may keep it a few target durations, so one request per part reaches us however many viewers wait.
  const text = formatPlaylist(withToken(mux.playlist(), token));
  muxers.audience(mux)?.note(req, Buffer.byteLength(text), res.locals.user);
  send(res, PLAYLIST_TYPE, block ? `public, max-age=${Math.ceil(3 * mux.targetDuration)}` : 'no-cache', text);
}

function hasRenditions(ctx: HttpContext, path: string): boolean {
  return Object.hasOwn(ctx.config.paths, path) && (ctx.config.paths[path]!.renditions?.length ?? 0) > 0;
}

/** Main stream first, then the renditions: their sources start only when a player picks them. */
async function multivariant(req: Request, res: Response, ctx: HttpContext, path: string): Promise<void> {
  countRequest(ctx, 'playlist');
  const resolved = await ctx.paths.resolve(path);
  if (resolved.kind !== 'live') throw new HttpError(415, `/${path} is a file: renditions are made of live paths`);
  const s = resolved.stream;
  // A stream the request itself just started has carried too little to measure: give it a moment.
  const age = Date.now() - s.createdAt;
  if (age < MEASURE_MS) await new Promise((r) => setTimeout(r, MEASURE_MS - age));
  const bps = (s.bytes * 8 * 1000) / Math.max(1000, Date.now() - s.createdAt);
  const variants = variantsOf(path, s.tracks, bps, ctx.config.paths[path]!.renditions ?? []);
  send(res, PLAYLIST_TYPE, 'no-cache', formatMultivariant(variants, queryToken(req.query as Record<string, unknown>)));
}

async function file(req: Request, res: Response, ctx: HttpContext, muxers: HlsMuxers, path: string, id: string, kind: 'init' | 'seg' | 'part', msn: number, index: number): Promise<void> {
  const live = muxers.byId(path, id);
  if (live) {
    const data = await liveFile(res, live, path, kind, msn, index);
    if (!data) return;
    muxers.audience(live)?.note(req, data.length, res.locals.user);
    return send(res, 'video/mp4', IMMUTABLE, data);
  }
  const vod = await vodOf(ctx, path);
  // VOD names: the file's id, then "t<trackId>" for an audio rendition's init and segments.
  const [, base, group = ''] = /^([0-9a-f]+)(t\d+)?$/.exec(id) ?? [];
  if (vod && vod.id === base && kind !== 'part') {
    const data = kind === 'init' ? vod.groups.get(group)?.init : vodSegment(vod, msn, group);
    if (data) return send(res, 'video/mp4', IMMUTABLE, data);
  }
  throw gone(path, kind, msn, index);
}

/** The bytes of a live init, segment or part (undefined when the client left while it waited). */
async function liveFile(res: Response, mux: LiveHlsMuxer, path: string, kind: 'init' | 'seg' | 'part', msn: number, index: number): Promise<Uint8Array | undefined> {
  mux.lastRequestMs = Date.now();
  if (kind === 'init') {
    if (mux.init) return mux.init;
    throw gone(path, kind, msn, index);
  }
  if (kind === 'seg') {
    const parts = mux.segment(msn);
    if (parts) return Buffer.concat(parts);
    throw gone(path, kind, msn, index);
  }
  let data = mux.part(msn, index);
  if (!data && mux.isNextPart(msn, index)) {
    // The preload-hinted part: answer as soon as it is made (RFC 8216bis 6.2.6).
    const waitMs = 3 * mux.targetDuration * 1000;
    const left = clientGone(res);
    if (!(await mux.waitUntil(() => mux.has(msn, index), waitMs, left))) {
      if (left.aborted) return undefined;
      if (!mux.ended) throw unavailable(mux, `part ${index} of segment ${msn} of /${path} did not appear within ${waitMs / 1000} s`);
    }
    data = mux.part(msn, index);
  }
  if (data) return data;
  throw gone(path, kind, msn, index);
}

/** What /metrics counts HLS requests by (`hls_requests`): bounded words, no path. */
export type HlsRequestKind = 'playlist' | 'blocking_reload' | 'segment' | 'part' | 'init' | 'other';
/** How long a blocking playlist reload (_HLS_msn) waited, by outcome: ready, timeout, ended, aborted. */
export const HLS_BLOCKED_WAIT = 'hls_blocked_reload_wait_seconds';

function countRequest(ctx: HttpContext, kind: HlsRequestKind): void {
  ctx.paths.counters.inc('hls_requests', { kind });
}

/** Aborts when the client closes the connection before the answer (a blocked request it gave up on). */
function clientGone(res: Response): AbortSignal {
  const ac = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) ac.abort();
  });
  return ac.signal;
}

/** The VOD index when `path` is a media file (no source is started for a live path). */
async function vodOf(ctx: HttpContext, path: string): Promise<VodIndex | undefined> {
  if (!ctx.paths.isFile(path)) return undefined;
  const r = await ctx.paths.resolve(path);
  return r.kind === 'file' ? vodIndex(r.file, ctx.config.hlsSegmentDuration) : undefined;
}

/** The muxer key a playlist name asks for: "" (index.m3u8), "video" or "t<id>" (audio-<id>.m3u8). */
function renditionKey(name: string): string {
  if (name === 'video.m3u8') return 'video';
  const audio = /^audio-(\d+)\.m3u8$/.exec(name);
  return audio ? `t${audio[1]}` : '';
}

/**
 * What a live path's playlist `name` is: with audio alternatives, index.m3u8 is the multivariant
 * playlist and video.m3u8 / audio-<id>.m3u8 each a muxer of its own tracks; without, index.m3u8 alone.
 */
function liveRendition(stream: Stream, path: string, name: string): 'multivariant' | { key: string; tracks?: Track[] } {
  const tracks = stream.tracks;
  const alt = audioAlternatives(tracks);
  if (name === 'index.m3u8') return alt.length > 0 || captionsOf(stream) ? 'multivariant' : { key: '' };
  if (name === 'media.m3u8') return { key: '' };
  const key = renditionKey(name);
  const video = hlsTracks(tracks).find((t) => t.kind === 'video');
  if (alt.length > 0 && key === 'video' && video) return { key, tracks: [video] };
  const audio = alt.find((t) => `t${t.id}` === key);
  if (audio) return { key, tracks: [audio] };
  throw new HttpError(404, `/${path} has no ${name}: its playlist is /${path}/index.m3u8`);
}

/**
 * The multivariant playlist of a live path with audio alternatives. Every rendition's muxer starts
 * now, so each has segments when the player asks; the answer waits for the video's first segment
 * (its BANDWIDTH is measured from it).
 */
async function liveMultivariant(res: Response, muxers: HlsMuxers, path: string, stream: Stream, token: string | undefined, left: AbortSignal): Promise<void> {
  const alt = audioAlternatives(stream.tracks);
  // Captions alone: the variant is media.m3u8, every track in one muxer (its first track leads, video or not).
  const videoTrack = alt.length > 0 ? hlsTracks(stream.tracks).find((t) => t.kind === 'video')! : hlsTracks(stream.tracks)[0]!;
  const video = alt.length > 0 ? muxers.forStream(path, stream, 'video', [videoTrack]) : muxers.forStream(path, stream);
  const audio = alt.map((t) => muxers.forStream(path, stream, `t${t.id}`, [t]));
  for (const m of [video, ...audio]) m.lastRequestMs = Date.now();
  if (!video.ready && !(await video.waitUntil(() => video.ready, FIRST_SEGMENT_WAIT_MS, left))) {
    if (left.aborted) return;
    throw unavailable(video, `/${path} has no complete HLS segment yet (segments start at key frames); retry shortly`);
  }
  // An audio muxer without a complete segment yet counts as 128 kb/s.
  const bandwidth = video.peakBitrate + Math.max(0, ...audio.map((m) => m.peakBitrate || 128_000));
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  const subtitles = captionsOf(stream) ? [{ name: 'Captions' }] : undefined;
  const others = alt.length > 0 ? [] : hlsTracks(stream.tracks).filter((t) => t !== videoTrack);
  const variantUri = alt.length > 0 ? 'video.m3u8' : 'media.m3u8';
  send(res, PLAYLIST_TYPE, 'no-cache', multivariantPlaylist({ video: videoTrack, alternatives: alt, others, bandwidth, query, subtitles, variantUri }));
}

/** A live path's captions playlist: one WebVTT segment per complete segment of its main muxer, with the same sequence numbers and dates. */
async function liveSubtitles(res: Response, muxers: HlsMuxers, path: string, stream: Stream, token: string | undefined, left: AbortSignal): Promise<void> {
  if (!captionsOf(stream)) throw new HttpError(404, `/${path} has no captions: POST /api/v1/paths/${path}/captions adds them`);
  const main = audioAlternatives(stream.tracks).length > 0 ? muxers.forStream(path, stream, 'video', [hlsTracks(stream.tracks).find((t) => t.kind === 'video')!]) : muxers.forStream(path, stream);
  main.lastRequestMs = Date.now();
  if (!main.ready && !(await main.waitUntil(() => main.ready, FIRST_SEGMENT_WAIT_MS, left))) {
    if (left.aborted) return;
    throw unavailable(main, `/${path} has no complete HLS segment yet; retry shortly`);
  }
  const p = main.playlist();
  const spans = p.segments.map((s) => ({ msn: s.msn, start: 0, duration: s.duration, programDateTime: s.programDateTime }));
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  send(res, PLAYLIST_TYPE, 'no-cache', formatSubtitlePlaylist({ id: main.id, spans, vod: false, query, ended: p.endList, targetDuration: p.targetDuration }));
}

/**
 * A file's playlist `name`: index.m3u8 is its single media playlist, or the multivariant playlist
 * when it has audio alternatives; then video.m3u8 and audio-<id>.m3u8 are the renditions.
 */
function vodPlaylistText(idx: VodIndex, file: SeekableMedia, path: string, name: string, token: string | undefined): string {
  const alt = idx.alternatives;
  const subs = (file.subtitles ?? []).slice(0, MAX_SUBTITLE_RENDITIONS);
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  if (name === 'index.m3u8' && (alt.length > 0 || subs.length > 0)) {
    const video = idx.tracks[0]!.fmp4.track;
    const others = alt.length > 0 ? [] : idx.tracks.slice(1).map((t) => t.fmp4.track);
    const subtitles = subs.map((s) => ({ name: s.name, language: s.language }));
    const variantUri = alt.length > 0 ? 'video.m3u8' : 'media.m3u8';
    return multivariantPlaylist({ video, alternatives: alt, others, bandwidth: vodBandwidth(idx), query, subtitles, variantUri });
  }
  if (name === 'index.m3u8' || name === 'media.m3u8') return formatPlaylist(withToken(vodPlaylist(idx), token));
  const n = subsIndex(name);
  if (n !== undefined && subs[n]) return formatSubtitlePlaylist({ id: subsSegmentId(idx.id, n), spans: vodSpans(idx), vod: true, query });
  if (name === 'video.m3u8' && alt.length > 0) return formatPlaylist(withToken(vodPlaylist(idx, ''), token));
  const audio = alt.find((t) => renditionUri(t) === name);
  if (audio) return formatPlaylist(withToken(vodPlaylist(idx, `t${audio.id}`), token));
  throw new HttpError(404, `/${path} has no ${name}: its playlist is /${path}/index.m3u8`);
}

/** A WebVTT segment of one of a file's subtitles (`<id>s<n>`: its n-th), or of a live path's captions. */
async function subtitleSegment(res: Response, ctx: HttpContext, muxers: HlsMuxers, path: string, segId: string, msn: number): Promise<void> {
  const vod = await vodOf(ctx, path);
  const { id, index } = parseSubsSegmentId(segId);
  if (vod && vod.id === id) {
    const r = await ctx.paths.resolve(path);
    const subs = r.kind === 'file' && index < MAX_SUBTITLE_RENDITIONS ? r.file.subtitles?.[index] : undefined;
    const span = vodSpans(vod)[msn];
    if (subs && span) return send(res, VTT_TYPE, IMMUTABLE, subtitleSpanText(subs.cues, span));
  }
  const live = muxers.byId(path, segId);
  const captions = live && captionsOf(live.stream);
  if (live && captions && live.segment(msn)) return send(res, VTT_TYPE, 'no-cache', captions.segment());
  throw gone(path, 'seg', msn, 0);
}

function send(res: Response, type: string, cache: string, body: string | Uint8Array): void {
  res.status(200).setHeader('Content-Type', type);
  res.setHeader('Cache-Control', cache);
  // A Buffer, not a string: express would add "; charset=utf-8" to the playlist type.
  res.send(typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
}

function unavailable(mux: LiveHlsMuxer, reason: string): HttpError {
  return new HttpError(503, mux.failure ? `HLS for this path stopped: ${mux.failure}` : reason, { 'Retry-After': '1' });
}

function gone(path: string, kind: string, msn: number, index: number): HttpError {
  const name = kind === 'init' ? 'init segment' : kind === 'seg' ? `segment ${msn}` : `part ${index} of segment ${msn}`;
  return new HttpError(404, `no ${name} for /${path}: it is older than the playlist keeps, not made yet, or from an earlier muxer; reload /${path}/index.m3u8`);
}
