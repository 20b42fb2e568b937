// The sample tables of a progressive MP4 track (ISO 14496-12 8.6-8.7): stts, ctts, stss, stsz, stsc, stco/co64, each
// run-length coded where the format allows. Samples come as parallel typed arrays: a clip of hours has hundreds of
// thousands of them, and one object each would be most of the work.
import type { BoxWriter } from '../fmp4/bytes.js';

/** A track's samples in decode order, one entry per sample in each array. */
export interface Mp4FileSamples {
  /** Ticks until the next sample's decode time. */
  durations: Uint32Array;
  /** Presentation minus decode time, in ticks (may be negative: ctts version 1). */
  ctos: Int32Array;
  /** 1 for a sync sample. */
  keys: Uint8Array;
  sizes: Uint32Array;
}

/** Writes `values` run-length coded as [count, value] rows after the row count; `signed` writes values as i32. */
function writeRuns(w: BoxWriter, values: Uint32Array | Int32Array, signed: boolean): void {
  let rows = 0;
  for (let i = 0; i < values.length; i++) if (i === 0 || values[i] !== values[i - 1]) rows++;
  w.u32(rows);
  for (let i = 0; i < values.length; ) {
    let j = i + 1;
    while (j < values.length && values[j] === values[i]) j++;
    w.u32(j - i);
    if (signed) w.i32(values[i]!);
    else w.u32(values[i]!);
    i = j;
  }
}

/** 8.6.1.2 decoding time to sample. */
export function writeStts(w: BoxWriter, s: Mp4FileSamples): void {
  w.fullBox('stts', 0, 0, () => writeRuns(w, s.durations, false));
}

/** 8.6.1.3 composition offsets; left out when every offset is 0. Version 1 (signed) only when one is negative. */
export function writeCtts(w: BoxWriter, s: Mp4FileSamples): void {
  if (s.ctos.every((c) => c === 0)) return;
  const signed = s.ctos.some((c) => c < 0);
  w.fullBox('ctts', signed ? 1 : 0, 0, () => writeRuns(w, s.ctos, signed));
}

/** 8.6.2 sync samples; left out when every sample is one (audio). */
export function writeStss(w: BoxWriter, s: Mp4FileSamples): void {
  if (s.keys.every((k) => k === 1)) return;
  let n = 0;
  for (const k of s.keys) n += k;
  w.fullBox('stss', 0, 0, () => {
    w.u32(n);
    s.keys.forEach((k, i) => {
      if (k) w.u32(i + 1);
    });
  });
}

/** 8.7.3.2 sample sizes: one value when all are equal. */
export function writeStsz(w: BoxWriter, s: Mp4FileSamples): void {
  const first = s.sizes[0] ?? 0;
  const same = s.sizes.length > 0 && s.sizes.every((x) => x === first);
  w.fullBox('stsz', 0, 0, () => {
    w.u32(same ? first : 0).u32(s.sizes.length);
    if (!same) for (const x of s.sizes) w.u32(x);
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
export function writeChunkOffsets(w: BoxWriter, offsets: readonly number[], base: number, wide: boolean): void {
  w.fullBox(wide ? 'co64' : 'stco', 0, 0, () => {
    w.u32(offsets.length);
    for (const o of offsets) {
      if (wide) w.u64(o + base);
      else w.u32(o + base);
    }
  });
}
