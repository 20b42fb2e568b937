// A clip as MPEG-TS, streamed: units of all tracks in decode-time order, read from the segment files a batch at a
// time, muxed as they go out and paced by the reader (no length is known ahead, so no ranges).
import type { Response } from 'express';
import type { AccessUnit } from '../../media/access-unit.js';
import { TsMuxer } from '../../mux/mpegts.js';
import { ClipFiles } from '../../record/read/clip-data.js';
import type { Clip, ClipUnit } from '../../record/read/clip.js';
import type { ByteCount } from '../progressive/register.js';
import { drained } from './body.js';

/** Units read per batch (and bytes at most): one read per file stretch, then muxed. */
const BATCH_UNITS = 256;
const BATCH_BYTES = 1024 * 1024;

/** The next batch of [track, unit index] in decode-time order, advancing the cursors. */
function nextBatch(clip: Clip, tracks: number[], next: number[]): [number, number][] {
  const out: [number, number][] = [];
  let bytes = 0;
  while (out.length < BATCH_UNITS && bytes < BATCH_BYTES) {
    let best = -1;
    let bestT = Infinity;
    for (const n of tracks) {
      const u = clip.units[n]![next[n]!];
      if (!u) continue;
      const t = u.dts / clip.tracks[n]!.clockRate;
      if (t < bestT) {
        bestT = t;
        best = n;
      }
    }
    if (best < 0) break;
    const i = next[best]!++;
    out.push([best, i]);
    bytes += clip.units[best]![i]!.size;
  }
  return out;
}

/** Streams the clip; resolves when the response has ended or the reader left. */
export async function sendClipTs(res: Response, clip: Clip, count: ByteCount): Promise<void> {
  const muxer = new TsMuxer(clip.tracks);
  const tracks = clip.tracks.map((t) => t.id).filter((n) => muxer.carries(n));
  const next = clip.tracks.map(() => 0);
  const files = new ClipFiles();
  try {
    for (let batch = nextBatch(clip, tracks, next); batch.length > 0 && !res.destroyed; batch = nextBatch(clip, tracks, next)) {
      const aus = new Map<number, AccessUnit[]>();
      for (const n of tracks) {
        const mine: ClipUnit[] = batch.filter(([t]) => t === n).map(([t, i]) => clip.units[t]![i]!);
        if (mine.length) aus.set(n, await files.accessUnits(clip.tracks[n]!, mine));
      }
      const taken = new Map<number, number>();
      const parts: Uint8Array[] = [];
      for (const [n] of batch) {
        const k = taken.get(n) ?? 0;
        taken.set(n, k + 1);
        const c = muxer.mux(n, aus.get(n)![k]!);
        if (c) parts.push(c.bytes);
      }
      const bytes = Buffer.concat(parts);
      count.bytes += bytes.length;
      if (!res.write(bytes)) await drained(res);
    }
    if (!res.destroyed) res.end();
  } catch {
    res.destroy();
  } finally {
    await files.close();
  }
}
