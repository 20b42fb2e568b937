// PLAY and PAUSE (RFC 2326 §10.5, §10.6): files start, seek and resume on their own cursor; live
// readers join the stream at its cached GOP.
import { RtspError } from '../errors.js';
import { formatRange, parsePlayRange, type RangeHeader } from '../headers/range.js';
import { parseScale } from '../headers/scale.js';
import { pauseRecorded, playRecorded } from '../recorded/play-recorded.js';
import { formatRtpInfo } from '../headers/rtp-info.js';
import type { Handler, HandlerResult, RequestContext } from './request-context.js';
import type { RtspSession } from '../session.js';
import type { StartPoint, Stream } from '../../core/stream.js';
import type { StreamMulticast } from '../multicast-sender.js';
import type { Playback } from '../../core/playback.js';
import { endStopsEos } from './range-end.js';
import { requestWho, sessionWho, whoText } from '../who.js';

function requireAggregate(ctx: RequestContext, s: RtspSession): void {
  // A track URL is fine when it is the only track (RFC 2326 §10.5); otherwise 460.
  if (ctx.target.trackId !== undefined && s.tracks.size > 1) {
    throw new RtspError(460, `${ctx.req.method} on one track of a ${s.tracks.size}-track session; use the aggregate URL rtsp://…/${s.path}`);
  }
  if (ctx.target.path !== s.path && ctx.req.uri !== '*') {
    throw new RtspError(400, `session ${s.id} is for /${s.path}, not /${ctx.target.path}`);
  }
}

export const play: Handler = (ctx) => {
  const s = ctx.session!;
  requireAggregate(ctx, s);
  const m = s.media;
  if (m.kind === 'publish') throw new RtspError(455, `session ${s.id} publishes /${s.path}: send RECORD, not PLAY`);
  const rangeHeader = ctx.req.headers.get('Range');
  const range = rangeHeader ? parsePlayRange(rangeHeader) : undefined;
  // A clock= range plays the path's recording (a live session turns to it); a recording goes on being one.
  if (range?.unit === 'clock' || s.recorded) {
    const scale = ctx.req.headers.get('Scale');
    return playRecorded(ctx, s, range, scale === undefined ? undefined : parseScale(scale));
  }
  return m.kind === 'file' ? playFile(ctx, s, m.playback, range) : playLive(ctx, s, m.stream);
};

function playFile(ctx: RequestContext, s: RtspSession, pb: Playback, range: RangeHeader | undefined): HandlerResult {
  const rangeHeader = ctx.req.headers.get('Range');
  // A PLAY while playing repositions: stop the clock first so Range and RTP-Info name exactly
  // the instant the first packet carries; the clock restarts once the answer is out.
  pb.pause();
  ctx.server.pacer.delete(pb);
  if (range && range.start !== 'now') {
    if (range.start > pb.duration) {
      throw new RtspError(457, `Range ${rangeHeader} starts after the end of /${s.path} (${pb.duration.toFixed(3)} s)`);
    }
    if (range.end !== undefined && range.end <= range.start) {
      throw new RtspError(457, `Range ${rangeHeader} ends before it starts`);
    }
    pb.seek(range.start, range.end);
  } else if (pb.state === 'ended') {
    // PLAY without a range after the end replays from the start, as a user pressing play again expects.
    pb.seek(0);
  }
  const start = pb.currentPosition();
  const rtpInfo = formatRtpInfo(pb.rtpInfo().map((i) => ({ url: s.tracks.get(i.trackId)!.controlUrl, seq: i.seq, rtptime: i.rtptime })));
  const wasPlaying = s.state === 'playing';
  s.state = 'playing';
  const who = requestWho(ctx);
  const npt = Number(start.toFixed(3));
  ctx.server.log.info({ ...who, session: s.id, path: s.path, npt, seek: !!range && range.start !== 'now', transport: s.transportKind }, `${whoText(who)} PLAY /${s.path}: ${wasPlaying ? 'repositioned' : 'started'} at ${npt} s (${s.transportKind})`);
  return {
    // The file's end, except to GStreamer when it asked for none (range-end.ts).
    headers: { Range: formatRange({ unit: 'npt', start, ...rangeEnd(ctx, range?.end, pb.duration) }), 'RTP-Info': rtpInfo },
    session: s,
    after: () => {
      pb.onEnd = () => ctx.server.log.info({ ...who, session: s.id, path: s.path }, `${whoText(who)} /${s.path}: end of file, BYE sent; the session stays until TEARDOWN or its timeout`);
      pb.play();
      ctx.server.pacer.add(pb);
    },
  };
}

function playLive(ctx: RequestContext, s: RtspSession, stream: Stream): HandlerResult {
  if (stream.ended) throw new RtspError(404, `/${s.path} stopped publishing; DESCRIBE it again once it is back`);
  if (s.state === 'playing') return { headers: { Range: 'npt=now-' }, session: s };
  if (s.multicast) return playMulticast(ctx, s, s.multicast);
  const { backlog, start, waitForKey } = stream.startPoint();
  const info = rtpInfoOf(s, start);
  s.state = 'playing';
  const who = requestWho(ctx);
  ctx.server.log.info({ ...who, session: s.id, path: s.path, transport: s.transportKind, backlogPackets: backlog.length, readers: stream.readers.size + 1 }, `${whoText(who)} PLAY /${s.path}: started live (${s.transportKind})`);
  return {
    headers: { Range: 'npt=0.000-', 'RTP-Info': formatRtpInfo(info) },
    session: s,
    // Nothing can arrive between the answer and this: both run in one turn of the event loop, so
    // the reader gets exactly the backlog and then every packet after it.
    after: () => {
      s.waitKey = waitForKey;
      for (const sr of stream.senderReports()) s.deliverRtcp(sr.trackId, sr.data);
      for (const p of backlog) s.deliver(p);
      stream.attach(s);
    },
  };
}

/** A multicast reader joins the stream's one sender: the first starts it at the cached GOP, the others share it as it runs. */
function playMulticast(ctx: RequestContext, s: RtspSession, sender: StreamMulticast): HandlerResult {
  const { start, commit } = sender.join(s, [...s.tracks.keys()]);
  s.state = 'playing';
  const who = requestWho(ctx);
  ctx.server.log.info({ ...who, session: s.id, path: s.path, transport: 'multicast', groups: sender.groups, readers: sender.readers + 1, starts: !sender.sending }, `${whoText(who)} PLAY /${s.path}: started live (multicast)`);
  return { headers: { Range: 'npt=0.000-', 'RTP-Info': formatRtpInfo(rtpInfoOf(s, start)) }, session: s, after: commit };
}

function rtpInfoOf(s: RtspSession, start: StartPoint[]): { url: string; seq?: number; rtptime?: number }[] {
  // A reader thinned before (PLAY again after PAUSE) numbers its packets past what it was spared (core/thinner.ts).
  const own = (p: StartPoint): number => (s.thin && p.trackId === s.thin.trackId ? (p.seq! - s.thin.droppedPackets) & 0xffff : p.seq!);
  return start
    .filter((p) => s.tracks.has(p.trackId))
    .map((p) => ({ url: s.tracks.get(p.trackId)!.controlUrl, ...(p.seq !== undefined ? { seq: own(p), rtptime: p.rtptime } : {}) }));
}

export const pause: Handler = (ctx) => {
  const s = ctx.session!;
  requireAggregate(ctx, s);
  const m = s.media;
  if (m.kind === 'publish') throw new RtspError(455, `session ${s.id} publishes /${s.path}; a publisher cannot be paused`);
  if (m.kind === 'live') {
    m.stream.detach(s);
    s.qos?.stop?.();
    s.multicast?.leave(s);
    if (s.state === 'playing') ctx.server.log.info({ ...sessionWho(s), session: s.id, path: s.path }, `${whoText(sessionWho(s))} PAUSE /${s.path}`);
    s.state = 'ready';
    return { session: s };
  }
  if (s.recorded) return pauseRecorded(ctx, s, s.recorded);
  const pb = m.playback;
  pb.pause();
  ctx.server.pacer.delete(pb);
  if (s.state === 'playing') {
    const npt = Number(pb.currentPosition().toFixed(3));
    ctx.server.log.info({ ...sessionWho(s), session: s.id, path: s.path, npt }, `${whoText(sessionWho(s))} PAUSE /${s.path} at ${npt} s`);
  }
  s.state = 'ready';
  return { headers: { Range: formatRange({ unit: 'npt', start: pb.currentPosition(), end: pb.duration }) }, session: s };
};

function rangeEnd(ctx: RequestContext, asked: number | undefined, duration: number): { end?: number } {
  if (asked !== undefined) return { end: Math.min(asked, duration) };
  return endStopsEos(ctx.req.headers.get('User-Agent')) ? {} : { end: duration };
}
