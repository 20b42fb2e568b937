// The sample tables of a progressive MP4 track (ISO 14496-12 8.6-8.7): stts, ctts, stss, stsz, stsc, stco/co64, each
// run-length coded where the format allows.
import type { BoxWriter } from '../fmp4/bytes.js';

/** One sample of a progressive MP4 track, in decode order. */
export interface Mp4FileSample {
  /** Ticks until the next sample's decode time. */
  duration: number;
  /** Presentation minus decode time, in ticks (may be negative: ctts version 1). */
  cto: number;
  key: boolean;
  size: number;
}

/** Runs of equal values: [count, value][]. */
function runs(values: Iterable<number>): [number, number][] {
  const out: [number, number][] = [];
  for (const v of values) {
    const last = out[out.length - 1];
    if (last && last[1] === v) last[0]++;
    else out.push([1, v]);
  }
  return out;
}

function* pick<T>(list: readonly T[], f: (x: T) => number): Iterable<number> {
  for (const x of list) yield f(x);
}

/** 8.6.1.2 decoding time to sample. */
export function writeStts(w: BoxWriter, samples: readonly Mp4FileSample[]): void {
  const r = runs(pick(samples, (s) => s.duration));
  w.fullBox('stts', 0, 0, () => {
    w.u32(r.length);
    for (const [n, d] of r) w.u32(n).u32(d);
  });
}

/** 8.6.1.3 composition offsets; left out when every offset is 0. Version 1 (signed) only when one is negative. */
export function writeCtts(w: BoxWriter, samples: readonly Mp4FileSample[]): void {
  if (samples.every((s) => s.cto === 0)) return;
  const signed = samples.some((s) => s.cto < 0);
  const r = runs(pick(samples, (s) => s.cto));
  w.fullBox('ctts', signed ? 1 : 0, 0, () => {
    w.u32(r.length);
    for (const [n, c] of r) {
      w.u32(n);
      if (signed) w.i32(c);
      else w.u32(c);
    }
  });
}

/** 8.6.2 sync samples; left out when every sample is one (audio). */
export function writeStss(w: BoxWriter, samples: readonly Mp4FileSample[]): void {
  if (samples.every((s) => s.key)) return;
  const keys: number[] = [];
  samples.forEach((s, i) => {
    if (s.key) keys.push(i + 1);
  });
  w.fullBox('stss', 0, 0, () => {
    w.u32(keys.length);
    for (const k of keys) w.u32(k);
  });
}

/** 8.7.3.2 sample sizes: one value when all are equal. */
export function writeStsz(w: BoxWriter, samples: readonly Mp4FileSample[]): void {
  const first = samples[0]?.size ?? 0;
  const same = samples.length > 0 && samples.every((s) => s.size === first);
  w.fullBox('stsz', 0, 0, () => {
    w.u32(same ? first : 0).u32(samples.length);
    if (!same) for (const s of samples) w.u32(s.size);
  });
}

/** 8.7.4 sample to chunk: a row only where the samples per chunk change. */
export function writeStsc(w: BoxWriter, chunkSamples: readonly number[]): void {
  const rows: [number, number][] = [];
  chunkSamples.forEach((n, i) => {
    if (rows[rows.length - 1]?.[1] !== n) rows.push([i + 1, n]);
  });
  w.fullBox('stsc', 0, 0, () => {
    w.u32(rows.length);
    for (const [first, n] of rows) w.u32(first).u32(n).u32(1);
  });
}

/** 8.7.5 chunk offsets: co64 when the file is past 4 GiB. */
export function writeChunkOffsets(w: BoxWriter, offsets: readonly number[], wide: boolean): void {
  w.fullBox(wide ? 'co64' : 'stco', 0, 0, () => {
    w.u32(offsets.length);
    for (const o of offsets) {
      if (wide) w.u64(o);
      else w.u32(o);
    }
  });
}
