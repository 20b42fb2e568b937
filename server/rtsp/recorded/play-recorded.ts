// PLAY and PAUSE of a recording by time: Range clock= (or npt of the window) picks the instant, Scale the speed and
// direction; a live session asked with clock= turns to the recording. The file playback does the pacing and RTP.
import { RtspError } from '../errors.js';
import { formatClockRange, formatRange, type PlayRange } from '../headers/range.js';
import { formatRtpInfo } from '../headers/rtp-info.js';
import { formatScale, MAX_SCALE } from '../headers/scale.js';
import type { HandlerResult, RequestContext } from '../methods/request-context.js';
import { playbackOptions } from '../methods/playback-options.js';
import type { RtspSession } from '../session.js';
import { requestWho, sessionWho, whoText } from '../who.js';
import type { RecordedState } from './state.js';
import { loadWindow, type RecordedWindow } from './window.js';
import { followOn } from './next-window.js';

/** Where a PLAY asks to be: an instant (Unix ms) and maybe an end, or "go on from where it is". */
type Target = { atMs: number; endMs?: number } | { resume: true };

export async function playRecorded(ctx: RequestContext, s: RtspSession, range: PlayRange | undefined, asked: number | undefined): Promise<HandlerResult> {
  const scale = Math.max(-MAX_SCALE, Math.min(MAX_SCALE, asked ?? 1));
  const rec = s.recorded;
  const clockForm = range?.unit === 'clock' ? true : range?.unit === 'npt' && range.start !== 'now' ? false : (rec?.clockForm ?? true);
  const target = targetOf(range, rec);
  const atMs = 'resume' in target ? resumeAt(s, rec) : target.atMs;
  const endMs = 'resume' in target ? undefined : target.endMs;
  if (endMs !== undefined && (scale > 0 ? endMs <= atMs : endMs >= atMs)) {
    throw new RtspError(457, `Range ends ${scale > 0 ? 'before' : 'after'} it starts; ${scale > 0 ? 'forward' : 'reverse (negative Scale)'} play needs the ${scale > 0 ? 'earlier' : 'later'} time first`);
  }
  let window = rec?.window;
  const effective = window?.clip.tracks.some((t) => t.kind === 'video') ? scale : 1;
  if (!window || window.scale !== effective || !covers(window, atMs)) window = await loadWindow(ctx.server, s.path, atMs, scale);
  const pb0 = s.playback;
  if (pb0) {
    // Stop the clock first so Range and RTP-Info name exactly the instant the first packet carries.
    pb0.pause();
    ctx.server.pacer.delete(pb0);
  }
  if (!rec) switchToRecording(ctx, s, window);
  else if (window !== rec.window) s.playback!.replaceMedia(window.media);
  s.recorded = { window, clockForm };
  const pb = s.playback!;
  const fromSrc = Math.max(0, (atMs - window.wallStartMs) / 1000);
  const viewStart = window.view ? window.view.toView(fromSrc) : fromSrc;
  const viewEnd = endMs === undefined ? undefined : window.view ? window.view.viewTime((endMs - window.wallStartMs) / 1000) : (endMs - window.wallStartMs) / 1000;
  const actual = 'resume' in target && pb.state !== 'ended' && window === rec?.window ? pb.currentPosition() : pb.seek(Math.min(viewStart, window.media.duration), viewEnd);
  const srcStart = window.view ? window.view.toSource(actual) : actual;
  const rtpInfo = formatRtpInfo(pb.rtpInfo().map((i) => ({ url: s.tracks.get(i.trackId)!.controlUrl, seq: i.seq, rtptime: i.rtptime })));
  const wasPlaying = s.state === 'playing';
  s.state = 'playing';
  const who = requestWho(ctx);
  const wall = new Date(wallOf(window, srcStart)).toISOString();
  ctx.server.log.info({ ...who, session: s.id, path: s.path, at: wall, scale: window.scale, transport: s.transportKind }, `${whoText(who)} PLAY /${s.path}: recording ${wasPlaying ? 'repositioned' : 'started'} at ${wall}${window.scale !== 1 ? ` (Scale ${window.scale})` : ''}`);
  const headers: Record<string, string> = { Range: rangeAnswer(s.recorded, srcStart, endMs), 'RTP-Info': rtpInfo };
  if (asked !== undefined || window.scale !== 1) headers.Scale = formatScale(window.scale);
  return {
    headers,
    session: s,
    after: () => {
      pb.onEnd = () => ctx.server.log.info({ ...who, session: s.id, path: s.path }, `${whoText(who)} /${s.path}: end of the recording, BYE sent; the session stays until TEARDOWN or its timeout`);
      pb.onExhausted = followOn(ctx.server, s);
      pb.play();
      ctx.server.pacer.add(pb);
    },
  };
}

/** PAUSE of a recording: the position it stopped at, in the Range form the client speaks. */
export function pauseRecorded(ctx: RequestContext, s: RtspSession, rec: RecordedState): HandlerResult {
  const pb = s.playback!;
  pb.pause();
  ctx.server.pacer.delete(pb);
  const src = rec.window.view ? rec.window.view.toSource(pb.currentPosition()) : pb.currentPosition();
  if (s.state === 'playing') {
    const at = new Date(wallOf(rec.window, src)).toISOString();
    ctx.server.log.info({ ...sessionWho(s), session: s.id, path: s.path, at }, `${whoText(sessionWho(s))} PAUSE /${s.path} at ${at} (recording)`);
  }
  s.state = 'ready';
  return { headers: { Range: rangeAnswer(rec, src, undefined) }, session: s };
}

function targetOf(range: PlayRange | undefined, rec: RecordedState | undefined): Target {
  if (range?.unit === 'clock') return { atMs: range.start, ...(range.end !== undefined ? { endMs: range.end } : {}) };
  if (!range || range.start === 'now' || !rec) return { resume: true };
  // npt of a recording counts from the window's first key frame (what DESCRIBE's a=range and the last answer said).
  const w = rec.window.wallStartMs;
  return { atMs: w + range.start * 1000, ...(range.end !== undefined ? { endMs: w + range.end * 1000 } : {}) };
}

const wallOf = (w: RecordedWindow, srcNpt: number): number => w.wallStartMs + srcNpt * 1000;

/** The wall clock a PLAY without a range goes on from: where it is, or the window's start (its end in reverse) once ended. */
function resumeAt(s: RtspSession, rec: RecordedState | undefined): number {
  const pb = s.playback;
  if (!rec || !pb) return Date.now();
  const pos = pb.state === 'ended' ? 0 : pb.currentPosition();
  return wallOf(rec.window, rec.window.view ? rec.window.view.toSource(pos) : pos);
}

/** The window holds `atMs` (and, at Scale 1, something after it to play). */
function covers(w: RecordedWindow, atMs: number): boolean {
  return atMs >= w.wallStartMs && atMs < w.wallStartMs + w.clip.duration * 1000;
}

function rangeAnswer(rec: RecordedState, srcStart: number, endMs: number | undefined): string {
  const w = rec.window;
  if (rec.clockForm) return formatClockRange({ unit: 'clock', start: wallOf(w, srcStart), ...(endMs !== undefined ? { end: endMs } : {}) });
  const end = endMs !== undefined ? (endMs - w.wallStartMs) / 1000 : w.clip.duration;
  return formatRange({ unit: 'npt', start: srcStart, end: Math.max(srcStart, end) });
}

/**
 * A live session asked for a clock= range: it plays the recording from now on, when the recording's
 * tracks are the ones the client set up (same codecs, clock rates and payload types: the SDP it has
 * still describes them). Its SSRCs change to the playback's; RTP-Info gives the new seq and rtptime.
 */
function switchToRecording(ctx: RequestContext, s: RtspSession, window: RecordedWindow): void {
  const m = s.media;
  if (m.kind !== 'live') throw new RtspError(456, `Range: clock= plays a path's recording; /${s.path} is a media file: use npt`);
  if (s.multicast) throw new RtspError(461, `a multicast session plays /${s.path} live only; SETUP with RTP/AVP/TCP or unicast UDP to play its recording`);
  const live = m.stream.tracks;
  const rec = window.media.tracks;
  const same = live.length === rec.length && live.every((t, i) => t.codec === rec[i]!.codec && t.clockRate === rec[i]!.clockRate && t.payloadType === rec[i]!.payloadType);
  if (!same) {
    const list = (ts: typeof live): string => ts.map((t) => `${t.codec}/${t.clockRate}`).join(', ');
    throw new RtspError(456, `the recording of /${s.path} then has other tracks (${list(rec)}) than the live stream this session set up (${list(live)}); DESCRIBE rtsp://…/${s.path}?start=<RFC 3339> to play it`);
  }
  if (s.state === 'playing') m.stream.detach(s);
  // Switched to a rendition (reader-renditions.ts): the switch lets go of its streams too.
  s.qos?.stop?.();
  s.onSourceEnd = undefined;
  // A live thinner counts the stream's packets: the playback numbers its own, and QoS thins it afresh if it must.
  s.thin = undefined;
  const playback = ctx.server.paths.playback(window.media, s, playbackOptions(ctx.server, ctx.conn.localAddress));
  for (const id of s.tracks.keys()) playback.activate(id);
  s.media = { kind: 'file', file: window.media, playback };
}
