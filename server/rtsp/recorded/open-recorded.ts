// DESCRIBE and SETUP of `rtsp://host/<path>?start=<RFC 3339>`: the recording's SDP (its tracks are the live ones) and a
// session that plays the recording from that instant, for clients that cannot send a clock= range (ffmpeg, VLC).
import { NO_SINK } from '../../core/playback.js';
import type { SessionMedia } from '../session.js';
import type { RequestContext } from '../methods/request-context.js';
import { playbackOptions } from '../methods/playback-options.js';
import type { RecordedState } from './state.js';
import { loadWindow, type RecordedWindow } from './window.js';

/** The window a DESCRIBE loaded, for the SETUP that follows on the same connection (ffmpeg's SETUP URLs lose the query). */
const described = new WeakMap<object, { path: string; startMs: number; window: RecordedWindow }>();

/** DESCRIBE with ?start=: the window from that instant (kept for this connection's SETUP). */
export async function describeRecorded(ctx: RequestContext, startMs: number): Promise<RecordedWindow> {
  const window = await loadWindow(ctx.server, ctx.target.path, startMs, 1);
  described.set(ctx.conn, { path: ctx.target.path, startMs, window });
  return window;
}

/** A new session's media playing the recording from `startMs`: the window DESCRIBE loaded when it is the same, else a new one. */
export async function recordedSessionMedia(ctx: RequestContext, startMs: number): Promise<{ media: SessionMedia; recorded: RecordedState }> {
  const d = described.get(ctx.conn);
  const reuse = d && d.path === ctx.target.path && d.startMs === startMs;
  if (reuse) described.delete(ctx.conn);
  const window = reuse ? d.window : await loadWindow(ctx.server, ctx.target.path, startMs, 1);
  const playback = ctx.server.paths.playback(window.media, NO_SINK, playbackOptions(ctx.server, ctx.conn.localAddress));
  return { media: { kind: 'file', file: window.media, playback }, recorded: { window, clockForm: false } };
}
