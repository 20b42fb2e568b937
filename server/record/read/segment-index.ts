// A recorded segment read back: its tracks (the uuid track box), the wall clock of its timeline (the first prft) and
// every complete fragment's samples with their file offsets. Read once per file version and cached; a file cut short
// by a crash ends at its last complete fragment.
import { setImmediate as yieldLoop } from 'node:timers/promises';
import type { Track } from '../../media/track.js';
import { readPrft, type Prft } from '../prft.js';
import { readTrackBox } from '../track-box.js';
import { BoxReader } from './box-reader.js';
import { readMoof, type TrunSample } from './traf.js';

export interface SegmentIndex {
  file: string;
  /** Bytes up to the end of the last complete fragment. */
  size: number;
  tracks: Track[];
  /** Per stream track id: samples in decode order; times in the track's clock (the recorder's timescale). */
  samples: Map<number, TrunSample[]>;
  /** Unix ms of file time 0: a sample's wall clock is wallAtZero + dts / clockRate * 1000. */
  wallAtZero: number;
  /** File seconds of the first sample and past the last (over all tracks). */
  startSec: number;
  endSec: number;
}

/** Boxes walked between turns of the event loop. */
const BOXES_PER_TURN = 600;

function wallAtZero(prft: Prft, tracks: Track[]): number {
  const clock = tracks.find((t) => t.id === prft.trackId - 1)?.clockRate ?? 90000;
  return prft.wallMs - (prft.mediaTime / clock) * 1000;
}

/** Reads a segment; undefined when it has no track box or no complete fragment (not a playable recording). */
export async function indexSegment(file: string): Promise<SegmentIndex | undefined> {
  const r = new BoxReader(file);
  try {
    let tracks: Track[] | undefined;
    let first: Prft | undefined;
    let pendingPrft: Prft | undefined;
    const samples = new Map<number, TrunSample[]>();
    let size = 0;
    let walked = 0;
    for (let pos = 0; ; ) {
      if (++walked % BOXES_PER_TURN === 0) await yieldLoop();
      const box = r.head(pos);
      if (!box) break;
      if (box.type === 'uuid') tracks = readTrackBox(r.body(box)) ?? tracks;
      else if (box.type === 'prft') pendingPrft = readPrft(r.body(box));
      else if (box.type === 'moof') {
        const mdat = r.head(box.end);
        if (!mdat || mdat.type !== 'mdat') break; // the crash cut this fragment: it is not media
        for (const run of readMoof(r.body(box), box.start)) {
          const list = samples.get(run.trackId - 1) ?? [];
          for (const s of run.samples) if (s.offset >= mdat.body && s.offset + s.size <= mdat.end) list.push(s);
          samples.set(run.trackId - 1, list);
        }
        if (pendingPrft) first ??= pendingPrft;
        size = mdat.end;
        pos = mdat.end;
        continue;
      }
      pos = box.end;
    }
    if (!tracks || !first || samples.size === 0) return undefined;
    const ts = tracks.filter((t) => samples.has(t.id));
    let startSec = Infinity;
    let endSec = -Infinity;
    for (const t of ts) {
      const list = samples.get(t.id)!;
      if (list.length === 0) continue;
      const last = list[list.length - 1]!;
      startSec = Math.min(startSec, list[0]!.dts / t.clockRate);
      endSec = Math.max(endSec, (last.dts + last.duration) / t.clockRate);
    }
    if (!Number.isFinite(startSec)) return undefined;
    return { file, size, tracks: ts, samples, wallAtZero: wallAtZero(first, tracks), startSec, endSec };
  } finally {
    r.close();
  }
}
