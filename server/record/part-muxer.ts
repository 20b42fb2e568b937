// What a recorder writes, per container: the bytes that open a segment, then parts (each written and synced together)
// as access units come in. fMP4: one fragment per part after a prft with its source wall clock. MPEG-TS: the TS packets
// of about one part's duration; a TS segment's wall clock is its file name (the recorder names it after its first unit).
import type { Track } from '../media/track.js';
import type { AccessUnit } from '../media/access-unit.js';
import { Fmp4Muxer } from '../mux/fmp4-muxer.js';
import { TsMuxer } from '../mux/mpegts.js';
import { fragmentTimes } from './fragment-times.js';
import { writePrft } from './prft.js';
import { writeTrackBox } from './track-box.js';

export interface PartMuxer {
  /** Tracks that go into the file (none: this stream cannot be recorded in this container). */
  readonly tracks: Track[];
  carries(trackId: number): boolean;
  /** The bytes that start the file. */
  header(): Uint8Array[];
  /** Adds a unit presented at `wallMs`; returns the parts it completed. */
  push(trackId: number, au: AccessUnit, wallMs: number): Uint8Array[][];
  /** The rest, as the last part(s). */
  flush(): Uint8Array[][];
}

/** Timestamps in a file start near this (seconds): room for audio a little before the first key frame. */
const START = 0.5;

export class Fmp4Parts implements PartMuxer {
  private readonly mux: Fmp4Muxer;
  /** Per track: recent [muxed dts, wall ms at that dts] to stamp fragments with. */
  private readonly walls = new Map<number, [number, number][]>();
  private readonly shift: number;

  /** `startSec`: stream seconds of the segment's first decode time. */
  constructor(private readonly all: Track[], partSec: number, startSec: number) {
    this.shift = START - startSec;
    this.mux = new Fmp4Muxer(all, { fragmentSeconds: partSec, shiftSeconds: this.shift });
    for (const t of this.mux.tracks) this.walls.set(t.id, []);
  }

  get tracks(): Track[] {
    return this.mux.tracks;
  }

  carries(trackId: number): boolean {
    return this.mux.carries(trackId);
  }

  header(): Uint8Array[] {
    return [this.mux.init, writeTrackBox(this.mux.tracks)];
  }

  push(trackId: number, au: AccessUnit, wallMs: number): Uint8Array[][] {
    const clock = this.all[trackId]!.clockRate;
    const walls = this.walls.get(trackId)!;
    walls.push([au.dts + Math.round(this.shift * clock), wallMs - ((au.pts - au.dts) / clock) * 1000]);
    if (walls.length > 2048) walls.splice(0, 1024);
    return this.parts(this.mux.push(trackId, au).map((c) => c.bytes));
  }

  flush(): Uint8Array[][] {
    return this.parts(this.mux.flush().map((c) => c.bytes));
  }

  /** Each fragment after its prft (the source wall clock of its first sample). */
  private parts(fragments: Uint8Array[]): Uint8Array[][] {
    return fragments.map((f) => {
      const t = fragmentTimes(f)[0];
      if (!t) return [f];
      const walls = this.walls.get(t.trackId - 1) ?? [];
      const clock = this.all[t.trackId - 1]?.clockRate ?? 90000;
      let i = walls.length - 1;
      while (i > 0 && walls[i]![0] > t.baseDecodeTime) i--;
      const w = walls[i];
      if (i > 0) walls.splice(0, i);
      return w ? [writePrft(t.trackId, w[1] + ((t.baseDecodeTime - w[0]) / clock) * 1000, t.baseDecodeTime), f] : [f];
    });
  }
}

export class TsParts implements PartMuxer {
  private readonly mux: TsMuxer;
  private pending: Uint8Array[] = [];
  private partStart: number | undefined;

  constructor(private readonly all: Track[], private readonly partSec: number, private readonly startSec: number) {
    // The muxer adds START to every timestamp once they are rebased to the segment's start.
    this.mux = new TsMuxer(all, { offset90k: START * 90000 });
  }

  get tracks(): Track[] {
    return this.mux.tracks;
  }

  carries(trackId: number): boolean {
    return this.mux.carries(trackId);
  }

  header(): Uint8Array[] {
    return [this.mux.tables()];
  }

  push(trackId: number, au: AccessUnit): Uint8Array[][] {
    const clock = this.all[trackId]!.clockRate;
    const base = Math.round(this.startSec * clock);
    const chunk = this.mux.mux(trackId, { ...au, pts: au.pts - base, dts: au.dts - base });
    if (!chunk) return [];
    const sec = au.dts / clock;
    const out: Uint8Array[][] = [];
    // A part ends before the chunk that passes its duration: parts start at unit boundaries.
    if (this.partStart !== undefined && sec - this.partStart >= this.partSec && this.pending.length > 0) out.push(this.take());
    this.partStart ??= sec;
    if (this.pending.length === 0) this.partStart = sec;
    this.pending.push(chunk.bytes);
    return out;
  }

  flush(): Uint8Array[][] {
    return this.pending.length ? [this.take()] : [];
  }

  private take(): Uint8Array[] {
    const p = this.pending;
    this.pending = [];
    return p;
  }
}
