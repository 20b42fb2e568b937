// A progressive (non-fragmented) MP4's head: ftyp, moov with full sample tables and an edit list per track, and the
// mdat header. Media bytes follow it in the chunk order given, so a server can send the head and then copy sample
// bytes from wherever they are stored; the whole layout (and so the length) is known before any byte goes out.
import type { Track } from '../../media/track.js';
import { BoxWriter } from '../fmp4/bytes.js';
import { videoInfo } from '../fmp4/sample-entry.js';
import { packLanguage, writeMediaInfo } from '../fmp4/media-info.js';
import { writeChunkOffsets, writeCtts, writeStsc, writeStss, writeStsz, writeStts, type Mp4FileSamples } from './tables.js';

export type { Mp4FileSamples } from './tables.js';

export interface Mp4FileTrack {
  /** Codec and config; fmp4Supports(track) must hold. */
  track: Track;
  /** Ticks per second of the sample times (normally track.clockRate). */
  timescale: number;
  /** Decode order. */
  samples: Mp4FileSamples;
  /** Decode time of the first sample on the file's presentation timeline, in ticks (negative before a B-frame reorder). */
  firstDts: number;
}

/** A run of consecutive samples of one track, stored together; chunks are given in file order. */
export interface Mp4FileChunk {
  /** Index into the tracks. */
  track: number;
  samples: number;
}

export interface Mp4FileHead {
  /** ftyp + moov + mdat header. */
  bytes: Uint8Array;
  /** Bytes of the mdat payload: every chunk's samples, in chunk order. */
  dataSize: number;
}

const MOVIE_TIMESCALE = 1000;
const MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
const U32_MAX = 0xffffffff;

interface TrackPlan {
  t: Mp4FileTrack;
  id: number;
  chunkSamples: number[];
  /** Chunk offsets from the start of the mdat payload. */
  chunkOffsets: number[];
  /** Presentation start and end on the file's timeline, in ticks. */
  start: number;
  end: number;
  mediaDuration: number;
}

function plan(tracks: Mp4FileTrack[], chunks: Mp4FileChunk[]): { plans: TrackPlan[]; dataSize: number } {
  const plans: TrackPlan[] = tracks.map((t, i) => {
    let end = 0;
    let minPts = Infinity;
    let dts = t.firstDts;
    const { durations, ctos } = t.samples;
    for (let k = 0; k < durations.length; k++) {
      minPts = Math.min(minPts, dts + ctos[k]!);
      end = Math.max(end, dts + ctos[k]! + durations[k]!);
      dts += durations[k]!;
    }
    return { t, id: i + 1, chunkSamples: [], chunkOffsets: [], start: Math.max(0, minPts), end, mediaDuration: dts - t.firstDts };
  });
  const next = tracks.map(() => 0);
  let at = 0;
  for (const c of chunks) {
    const p = plans[c.track]!;
    p.chunkOffsets.push(at);
    p.chunkSamples.push(c.samples);
    for (let k = 0; k < c.samples; k++) at += p.t.samples.sizes[next[c.track]!++]!;
  }
  return { plans, dataSize: at };
}

/** The head for `chunks` of `tracks`' samples (every sample in exactly one chunk). */
export function writeMp4FileHead(tracks: Mp4FileTrack[], chunks: Mp4FileChunk[]): Mp4FileHead {
  const { plans, dataSize } = plan(tracks, chunks);
  // The moov's size does not depend on the offsets' values, only on their width, so the offsets are written from 0
  // and then moved by the head's length. 64-bit offsets when the file may pass 4 GiB (bounded from above).
  const samples = plans.reduce((n, p) => n + p.t.samples.sizes.length, 0);
  const wide = 65536 + samples * 24 + chunks.length * 8 + dataSize > U32_MAX;
  const { bytes, offsetTables } = writeHead(plans, wide, dataSize);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const [at, count] of offsetTables) {
    for (let k = 0; k < count; k++) {
      if (wide) {
        const p = at + k * 8;
        const o = v.getUint32(p) * 0x100000000 + v.getUint32(p + 4) + bytes.length;
        v.setUint32(p, Math.floor(o / 0x100000000));
        v.setUint32(p + 4, o % 0x100000000);
      } else {
        v.setUint32(at + k * 4, v.getUint32(at + k * 4) + bytes.length);
      }
    }
  }
  return { bytes, dataSize };
}

/** The head with chunk offsets from the mdat payload's start, and where each offset table's entries are: [pos, count]. */
function writeHead(plans: TrackPlan[], wide: boolean, dataSize: number): { bytes: Uint8Array; offsetTables: [number, number][] } {
  const w = new BoxWriter(4096 + plans.reduce((n, p) => n + p.t.samples.sizes.length * 16 + p.chunkOffsets.length * 12, 0));
  const offsetTables: [number, number][] = [];
  w.box('ftyp', () => {
    w.fourcc('isom').u32(0x200);
    for (const b of ['isom', 'iso2', 'avc1', 'mp41']) w.fourcc(b);
  });
  const movieEnd = Math.max(0, ...plans.map((p) => toMovie(p.end, p.t.timescale)));
  w.box('moov', () => {
    w.fullBox('mvhd', 0, 0, () => {
      w.u32(0).u32(0).u32(MOVIE_TIMESCALE).u32(movieEnd);
      w.u32(0x00010000).u16(0x0100).zeros(10);
      for (const m of MATRIX) w.u32(m);
      w.zeros(24);
      w.u32(plans.length + 1);
    });
    for (const p of plans) offsetTables.push([trak(w, p, wide), p.chunkOffsets.length]);
  });
  // mdat: a 64-bit size when the payload does not fit 32 bits.
  if (wide) w.u32(1).fourcc('mdat').u64(dataSize + 16);
  else w.u32(dataSize + 8).fourcc('mdat');
  return { bytes: w.finish(), offsetTables };
}

const toMovie = (ticks: number, timescale: number): number => Math.round((ticks * MOVIE_TIMESCALE) / timescale);

/** Writes the trak; returns the position of its first chunk offset entry. */
function trak(w: BoxWriter, p: TrackPlan, wide: boolean): number {
  const { t } = p;
  let offsetsAt = 0;
  const video = t.track.kind === 'video';
  const size = video ? videoInfo(t.track) : { width: 0, height: 0 };
  w.box('trak', () => {
    w.fullBox('tkhd', 0, 3, () => {
      w.u32(0).u32(0).u32(p.id).u32(0).u32(toMovie(p.end, t.timescale));
      w.zeros(8).u16(0).u16(0);
      w.u16(video ? 0 : 0x0100).u16(0);
      for (const m of MATRIX) w.u32(m);
      w.u32(size.width * 0x10000).u32(size.height * 0x10000);
    });
    editList(w, p);
    w.box('mdia', () => {
      // Version 1 when the duration outgrows 32 bits (about 13 h at 90 kHz).
      const v1 = p.mediaDuration > U32_MAX;
      w.fullBox('mdhd', v1 ? 1 : 0, 0, () => {
        if (v1) w.u64(0).u64(0).u32(t.timescale).u64(p.mediaDuration);
        else w.u32(0).u32(0).u32(t.timescale).u32(p.mediaDuration);
        w.u16(packLanguage(t.track.language)).u16(0);
      });
      writeMediaInfo(w, t.track, () => {
        writeStts(w, t.samples);
        writeCtts(w, t.samples);
        writeStss(w, t.samples);
        writeStsz(w, t.samples);
        writeStsc(w, p.chunkSamples);
        offsetsAt = w.pos + 16; // box header, version/flags, entry count
        writeChunkOffsets(w, p.chunkOffsets, 0, wide);
      });
    });
  });
  return offsetsAt;
}

/**
 * ISO 14496-12 8.6.6: the file presents from 0. A track that starts later gets an empty edit first; the media edit
 * skips what presents before 0 (the decode-order lead of B-frames, audio from before the first key frame).
 */
function editList(w: BoxWriter, p: TrackPlan): void {
  const { t } = p;
  const entries: [number, number][] = [];
  if (p.start > 0) entries.push([toMovie(p.start, t.timescale), -1]);
  entries.push([toMovie(p.end - p.start, t.timescale), p.start - t.firstDts]);
  w.box('edts', () =>
    w.fullBox('elst', 0, 0, () => {
      w.u32(entries.length);
      for (const [d, m] of entries) w.u32(d).i32(m).u16(1).u16(0);
    }),
  );
}
