// Turns one track's demuxed packets (times in seconds) into AccessUnits on the track's clock, pts 0 at the common start.

import type { Track } from '../../media/track.js';
import type { AccessUnit } from '../../media/access-unit.js';

/** One track's packets in decode order, times still in seconds. */
export interface RawUnit {
  pts: number;
  dur: number;
  key: boolean;
  data: Uint8Array[];
}

/** Video units on `clock`: pts from the packets, a dts derived from decode order (dts <= pts). */
export function videoUnits(raw: RawUnit[], start: number, clock: number): AccessUnit[] {
  const pts = raw.map((u) => Math.round((u.pts - start) * clock));
  // mediabunny exposes only presentation time. Packets come in decode order, so the sorted pts
  // sequence handed out in that order is a valid dts; shift it by the reorder delay so dts <= pts.
  const sorted = [...pts].sort((x, y) => x - y);
  let delay = 0;
  for (let i = 0; i < pts.length; i++) delay = Math.max(delay, sorted[i]! - pts[i]!);
  return raw.map((u, i) => ({
    pts: pts[i]!,
    dts: sorted[i]! - delay,
    duration: Math.max(0, Math.round(u.dur * clock)),
    key: u.key,
    data: u.data,
  }));
}

/** Audio units on the track's clock, durations from the codec where it fixes them; pts < 0 is kept (the caller drops it). */
export function audioUnits(raw: RawUnit[], start: number, track: Track): AccessUnit[] {
  const clock = track.clockRate;
  const out: AccessUnit[] = [];
  // Matroska stores milliseconds, so 20 ms Opus frames come out as 1008/960/1008... ticks; snap a
  // unit to the previous end when it is within 1 ms of it, keeping real gaps as they are.
  const slack = Math.max(2, Math.ceil(clock / 1000));
  for (const u of raw) {
    const frame = u.data[0]!;
    const nominal = frameSamples(track, frame) ?? Math.round(u.dur * clock);
    let pts = Math.round((u.pts - start) * clock);
    const prev = out[out.length - 1];
    if (prev) {
      const expected = prev.pts + prev.duration;
      if (Math.abs(pts - expected) <= slack) pts = expected;
    }
    out.push({ pts, dts: pts, duration: nominal, key: true, data: u.data });
  }
  return out;
}

/** Samples (clock units) in one audio frame when the codec fixes it, else null (use the container's). */
function frameSamples(track: Track, frame: Uint8Array): number | null {
  switch (track.codec) {
    case 'OPUS':
      return opusSamples(frame);
    case 'PCMU':
    case 'PCMA':
      return Math.floor(frame.byteLength / (track.channels ?? 1));
    case 'AAC': {
      const asc = track.aac?.asc;
      if (!asc || asc.byteLength < 2) return null;
      const aot = asc[0]! >> 3;
      const sfi = ((asc[0]! & 7) << 1) | (asc[1]! >> 7);
      // Plain AAC object types with a table sample rate: GASpecificConfig frameLengthFlag (14496-3 4.4.1).
      if (aot >= 1 && aot <= 4 && sfi !== 15) return (asc[1]! & 0x04) !== 0 ? 960 : 1024;
      return null; // HE-AAC, escapes: trust the container
    }
    default:
      return null;
  }
}

/** RFC 6716 section 3.1: samples at 48 kHz from the TOC byte and frame count. */
function opusSamples(p: Uint8Array): number | null {
  if (p.byteLength < 1) return null;
  const toc = p[0]!;
  const config = toc >> 3;
  let per: number;
  if (config < 12) per = [480, 960, 1920, 2880][config & 3]!;
  else if (config < 16) per = (config & 1) === 0 ? 480 : 960;
  else per = [120, 240, 480, 960][config & 3]!;
  const c = toc & 3;
  const frames = c === 0 ? 1 : c === 3 ? (p.byteLength > 1 ? p[1]! & 0x3f : 0) : 2;
  if (frames === 0) return null;
  return per * frames;
}

/** Payload bytes of the raw units that did not make it into `kept` (audio before npt 0). */
export function dropped(raw: { data: Uint8Array[] }[], kept: AccessUnit[]): number {
  const sum = (l: { data: Uint8Array[] }[]): number => l.reduce((n, u) => n + u.data.reduce((m, d) => m + d.byteLength, 0), 0);
  return sum(raw) - sum(kept);
}
