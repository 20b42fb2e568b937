// A media file as one progressive response: muxed for this reader from the shared demuxed units, as fast as it reads.
import type { Response } from 'express';
import { firstUnitIndexAtOrAfter, keyUnitIndexAtOrBefore } from '../../core/seek.js';
import type { SeekableMedia } from '../../core/seekable-media.js';
import { createMuxer, type ProgressiveFormat } from './formats.js';
import type { ByteCount } from './register.js';

/** Bytes queued in the response before we wait for 'drain': enough to keep a fast reader busy. */
const HIGH_WATER = 256 * 1024;

interface Cursor {
  trackId: number;
  clock: number;
  next: number;
}

/** Where each track starts for `start` seconds: video at the key frame at or before it, audio from that frame's time. */
export function startCursors(file: SeekableMedia, start: number): { cursors: Cursor[]; from: number } {
  const video = file.tracks.find((t) => t.kind === 'video');
  let from = start;
  const cursors: Cursor[] = [];
  if (video) {
    const units = file.units[video.id]!;
    const k = keyUnitIndexAtOrBefore(units, Math.round(start * video.clockRate));
    from = k >= 0 ? units[k]!.pts / video.clockRate : 0;
    cursors.push({ trackId: video.id, clock: video.clockRate, next: Math.max(0, k) });
  }
  for (const t of file.tracks) {
    if (t.kind === 'video') continue;
    cursors.push({ trackId: t.id, clock: t.clockRate, next: firstUnitIndexAtOrAfter(file.units[t.id]!, Math.round(from * t.clockRate)) });
  }
  return { cursors, from };
}

/**
 * Streams `file` from `start` seconds: units of all tracks merged in decode-time order, muxed as
 * they go out, paced only by the reader (back-pressure), never held in memory as a whole.
 * Resolves when the response is finished or the reader left.
 */
export function streamFile(file: SeekableMedia, format: ProgressiveFormat, start: number, res: Response, count: ByteCount = { bytes: 0 }, audioId?: number): Promise<void> {
  // `?audio=`: the other audio tracks are left out (their ids stay: units are indexed by id).
  const tracks = audioId === undefined ? file.tracks : file.tracks.filter((t) => t.kind !== 'audio' || t.id === audioId);
  const cursors = startCursors(file, start).cursors.filter((c) => tracks.some((t) => t.id === c.trackId));
  // Times stay the file's own (npt), shifted just enough that the reorder delay's negative dts fit.
  let minDts = 0;
  for (const c of cursors) {
    const u = file.units[c.trackId]![c.next];
    if (u) minDts = Math.min(minDts, u.dts / c.clock);
  }
  const muxer = createMuxer(format, tracks, { live: false, shiftSeconds: -minDts });
  const carried = new Set(muxer.tracks.map((t) => t.id));
  const active = cursors.filter((c) => carried.has(c.trackId));
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      resolve();
    };
    res.once('close', finish);
    const write = (b: Uint8Array): boolean => {
      count.bytes += b.length;
      return res.write(b);
    };
    if (muxer.head) write(muxer.head);
    const pump = (): void => {
      while (!done) {
        // The track whose next unit decodes first.
        let best: Cursor | undefined;
        let bestT = Infinity;
        for (const c of active) {
          const u = file.units[c.trackId]![c.next];
          if (!u) continue;
          const t = u.dts / c.clock;
          if (t < bestT) {
            bestT = t;
            best = c;
          }
        }
        if (!best) {
          for (const chunk of muxer.flush()) write(chunk.bytes);
          res.end();
          finish();
          return;
        }
        const au = file.units[best.trackId]![best.next++]!;
        let ok = true;
        for (const chunk of muxer.push(best.trackId, au)) ok = write(chunk.bytes) && ok;
        if (!ok || res.writableLength > HIGH_WATER) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}
