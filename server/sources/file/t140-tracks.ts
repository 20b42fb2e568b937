// A file's subtitles (SeekableMedia.subtitles) as text tracks of the file: T.140 units at each cue's start and clears at its end,
// so DESCRIBE, SETUP, PLAY, seek and loop carry them through the ordinary file playback (rtp/codecs/t140.ts has the wire mapping).
import type { AccessUnit } from '../../media/access-unit.js';
import type { Track } from '../../media/track.js';
import type { Cue, TextSource } from '../../media/subtitles.js';
import { T140_CLOCK } from '../../rtp/codecs/t140.js';
import { firstUnitIndexAtOrAfter } from '../../core/seek.js';
import type { MediaFile } from './demux.js';

const encoder = new TextEncoder();

/**
 * The units of a text track: a cue's text at its start (ms on the npt timeline of the video) and an
 * empty unit (a clear) at its end, left out when the next cue starts there or earlier: the next
 * packet ends a cue anyway (RFC 4103 as t140.ts maps it). Cues from `duration` on are never played.
 */
export function textUnits(cues: readonly Cue[], duration: number): AccessUnit[] {
  const end = Math.round(duration * T140_CLOCK);
  const out: AccessUnit[] = [];
  const unit = (pts: number, text: string): AccessUnit => ({ pts, dts: pts, duration: 0, key: true, data: text === '' ? [] : [encoder.encode(text)] });
  cues.forEach((cue, i) => {
    const start = Math.max(0, Math.round(cue.start * T140_CLOCK));
    if (start >= end) return;
    // Ordered by start (parseSubtitles sorts): never before the unit already placed.
    const at = Math.max(start, out[out.length - 1]?.pts ?? 0);
    out.push(unit(at, cue.text));
    const stop = Math.min(end, Math.round(cue.end * T140_CLOCK));
    const next = cues[i + 1];
    if (next && Math.round(next.start * T140_CLOCK) <= stop) return;
    out.push(unit(Math.max(at, stop), ''));
  });
  for (let i = 1; i < out.length; i++) out[i - 1]!.duration = out[i]!.pts - out[i - 1]!.pts;
  return out;
}

/** A text track for one source of subtitles: T.140 at 1000 Hz, its language and name for a=lang and menus. */
export function textTrack(id: number, source: TextSource): Track {
  const track: Track = { id, kind: 'text', codec: 'T140', clockRate: T140_CLOCK, payloadType: Math.min(127, 96 + id) };
  if (source.language) track.language = source.language;
  if (source.name) track.name = source.name;
  return track;
}

/**
 * The file with one text track per entry of its subtitles appended after its audio and video (ids
 * follow theirs), each with at least one cue before the end. Neither its duration nor its byte count
 * of media changes much: cues are text.
 */
export function withTextTracks(file: MediaFile): MediaFile {
  const subs = file.subtitles ?? [];
  if (subs.length === 0) return file;
  const tracks = [...file.tracks];
  const units = [...file.units];
  let bytes = file.bytes;
  for (const source of subs) {
    const list = textUnits(source.cues, file.duration);
    if (list.length === 0) continue;
    tracks.push(textTrack(tracks.length, source));
    units.push(list);
    for (const u of list) for (const d of u.data) bytes += d.length;
  }
  return { ...file, tracks, units, bytes };
}

/**
 * Where a text track's cursor starts for a playback from `pts` (ms): at the cue showing then, when one
 * is (sent at once, its timestamp before the start, so the client shows it until its clear), else at
 * the first unit from `pts` on.
 */
export function textUnitIndexAt(units: readonly AccessUnit[], pts: number): number {
  const i = firstUnitIndexAtOrAfter(units, pts);
  if (i > 0 && (i >= units.length || units[i]!.pts > pts) && units[i - 1]!.data.length > 0) return i - 1;
  return i;
}
