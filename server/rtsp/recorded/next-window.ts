// A Scale 1 window cut short by recordPlaybackMaxBytes goes on into the next one when its last unit is sent: loaded
// from where it ended, its times shifted onto the session's timeline, so npt, RTP timestamps and sequence numbers run on.
import type { ServerContext } from '../context.js';
import type { RtspSession } from '../session.js';
import type { RecordedWindow } from './state.js';
import { loadWindow } from './window.js';

/** A follow-on window must start where the last ended, to within this (ms): otherwise the span ended there. */
const JOIN_MS = 50;

/** The playback's onExhausted for a recorded session: true (hold the end) while a next window is being loaded. */
export function followOn(server: ServerContext, s: RtspSession): () => boolean {
  return () => {
    const w = s.recorded?.window;
    if (!w || !w.truncated || w.view) return false;
    void loadNext(server, s, w);
    return true;
  };
}

async function loadNext(server: ServerContext, s: RtspSession, w: RecordedWindow): Promise<void> {
  // The window was cut at a video key frame: where its video ends is where the next window's first frame presents.
  const endSec = videoEnd(w);
  const endMs = w.wallStartMs + endSec * 1000;
  // 1 ms past the end finds the key frame there, not the one before.
  const next = await loadWindow(server, s.path, endMs + 1, 1).catch(() => undefined);
  const pb = s.playback;
  // Torn down, paused or repositioned meanwhile: that request decided where the session is.
  if (!pb || server.sessions.get(s.id) !== s || s.recorded?.window !== w || s.state !== 'playing') return;
  if (!next || Math.abs(next.wallStartMs - endMs) > JOIN_MS) {
    // The span ended (a gap, another set of tracks): the end of the recording as any file ends.
    pb.state = 'ended';
    pb.bye('end of the recording');
    pb.onEnd?.();
    return;
  }
  const joined = shifted(next, endSec);
  s.recorded = { ...s.recorded, window: joined };
  pb.replaceMedia(joined.media);
  pb.seek(endSec);
  pb.play();
  server.log.debug({ session: s.id, path: s.path, at: new Date(endMs).toISOString(), seconds: Number(next.clip.duration.toFixed(3)) }, `/${s.path}: session ${s.id} plays on into the next window of the recording`);
}

/** Seconds at which the window's video stops presenting (its end when it has no video). */
function videoEnd(w: RecordedWindow): number {
  const v = w.clip.tracks.findIndex((t) => t.kind === 'video');
  if (v < 0) return w.clip.duration;
  return w.clip.units[v]!.reduce((m, u) => Math.max(m, u.pts + u.duration), 0) / w.clip.tracks[v]!.clockRate;
}

/** The window with its units `offSec` later and its npt 0 as many seconds earlier: the same wall clock. */
function shifted(w: RecordedWindow, offSec: number): RecordedWindow {
  const m = w.clip;
  const units = m.units.map((list, n) => {
    const off = Math.round(offSec * m.tracks[n]!.clockRate);
    return list.map((u) => ({ ...u, pts: u.pts + off, dts: u.dts + off }));
  });
  const media = { path: m.path, tracks: m.tracks, units, duration: m.duration + offSec };
  return { ...w, media, clip: media, wallStartMs: w.wallStartMs - offSec * 1000 };
}
