// Trick play over a seekable media (RFC 2326 §12.34 Scale, as ONVIF replay does it): key frames only, retimed to the
// speed and direction asked, so the ordinary file playback paces and sends them.
import type { AccessUnit } from '../media/access-unit.js';
import type { SeekableMedia } from './seekable-media.js';

/**
 * A key-frame view of a media at `scale`. View times run forward whatever the direction: key frames
 * are presented |scale| times closer together, in reverse order for a negative scale, and RTP
 * timestamps follow the view (they increase in the order packets are sent, at the pace they are
 * sent: a player shows them as an ordinary stream; ONVIF's Rate-Control=yes).
 */
export interface TrickView {
  readonly media: SeekableMedia;
  readonly scale: number;
  /** Source seconds of a view time (seconds). */
  toSource(viewNpt: number): number;
  /** The view time of a source time (seconds), exactly: where a range's end falls. */
  viewTime(sourceNpt: number): number;
  /** The view time of the source's key frame at or before `sourceNpt` (the first one when there is none before). */
  toView(sourceNpt: number): number;
}

/** undefined when the media has no video track: audio cannot be played by key frames. */
export function trickMedia(media: SeekableMedia, scale: number): TrickView | undefined {
  const video = media.tracks.find((t) => t.kind === 'video');
  if (!video || scale === 0) return undefined;
  const clock = video.clockRate;
  const speed = Math.abs(scale);
  const end = Math.round(media.duration * clock);
  const keys = media.units[video.id]!.filter((u) => u.key).sort((a, b) => a.pts - b.pts);
  const viewPts = (pts: number): number => Math.round((scale > 0 ? pts : end - pts) / speed);
  const ordered = scale > 0 ? keys : [...keys].reverse();
  const units: AccessUnit[] = ordered.map((u, i) => {
    const pts = viewPts(u.pts);
    const next = ordered[i + 1];
    const duration = next ? Math.max(1, viewPts(next.pts) - pts) : Math.max(1, Math.round(u.duration / speed));
    return { pts, dts: pts, duration, key: true, data: u.data };
  });
  const last = units[units.length - 1];
  const view: SeekableMedia = {
    path: media.path,
    tracks: media.tracks,
    units: media.tracks.map((t) => (t.id === video.id ? units : [])),
    duration: last ? (last.pts + last.duration) / clock : 0,
  };
  return {
    media: view,
    scale,
    toSource: (v) => (scale > 0 ? v * speed : media.duration - v * speed),
    viewTime: (sourceNpt) => Math.max(0, (scale > 0 ? sourceNpt : media.duration - sourceNpt) / speed),
    toView: (sourceNpt) => {
      const at = Math.round(sourceNpt * clock);
      let key = keys[0];
      for (const u of keys) {
        if (u.pts > at) break;
        key = u;
      }
      return key ? viewPts(key.pts) / clock : 0;
    },
  };
}
