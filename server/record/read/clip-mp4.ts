// A clip as one progressive MP4 (moov first): the head from the clip's sample tables, then the sample bytes copied from
// the segment files in the order they are stored there (the recorder interleaved tracks per part, so the copy reads
// long contiguous runs and the file stays interleaved). Everything is known before a byte is sent: the exact length,
// and which file bytes make up any byte range.
import { fmp4Supports } from '../../mux/fmp4/index.js';
import { writeMp4FileHead, type Mp4FileChunk, type Mp4FileSamples, type Mp4FileTrack } from '../../mux/mp4-file/index.js';
import type { Clip, ClipUnit } from './clip.js';

/** A stretch of a segment file copied as it is into the body. */
export interface ClipPiece {
  file: string;
  offset: number;
  size: number;
}

export interface ClipMp4 {
  /** ftyp + moov + mdat header. */
  head: Uint8Array;
  /** The mdat payload, in body order. */
  pieces: ClipPiece[];
  /** Bytes of the whole file. */
  length: number;
}

/** A chunk never spans more than this many bytes (one read of the copy). */
const MAX_CHUNK_BYTES = 2 * 1024 * 1024;

interface Run {
  track: number;
  first: number;
  count: number;
  fileIndex: number;
  offset: number;
  size: number;
}

/** Consecutive units of a track stored back to back in one file. */
function runsOf(units: ClipUnit[], track: number, fileIndex: Map<string, number>): Run[] {
  const out: Run[] = [];
  units.forEach((u, i) => {
    const r = out[out.length - 1];
    const prev = units[i - 1];
    if (r && prev && prev.file === u.file && prev.offset + prev.size === u.offset && r.size + u.size <= MAX_CHUNK_BYTES) {
      r.count++;
      r.size += u.size;
    } else {
      out.push({ track, first: i, count: 1, fileIndex: fileIndex.get(u.file) ?? 0, offset: u.offset, size: u.size });
    }
  });
  return out;
}

/** The sample tables' columns; durations from the decode times (exact across cuts), the last unit keeps its own. */
function samplesOf(units: ClipUnit[]): Mp4FileSamples {
  const n = units.length;
  const s: Mp4FileSamples = { durations: new Uint32Array(n), ctos: new Int32Array(n), keys: new Uint8Array(n), sizes: new Uint32Array(n) };
  for (let i = 0; i < n; i++) {
    const u = units[i]!;
    const next = units[i + 1];
    const d = next ? next.dts - u.dts : u.duration;
    s.durations[i] = d >= 0 ? d : u.duration;
    s.ctos[i] = u.pts - u.dts;
    s.keys[i] = u.key ? 1 : 0;
    s.sizes[i] = u.size;
  }
  return s;
}

export function clipMp4(clip: Clip): ClipMp4 {
  const kept = clip.tracks.map((t, n) => ({ t, units: clip.units[n]! })).filter((x) => fmp4Supports(x.t) && x.units.length > 0);
  const fileIndex = new Map(clip.files.map((f, i) => [f, i]));
  const runs = kept.flatMap((k, n) => runsOf(k.units, n, fileIndex));
  runs.sort((a, b) => a.fileIndex - b.fileIndex || a.offset - b.offset);
  const tracks: Mp4FileTrack[] = kept.map(({ t, units }) => ({ track: t, timescale: t.clockRate, firstDts: units[0]!.dts, samples: samplesOf(units) }));
  const chunks: Mp4FileChunk[] = runs.map((r) => ({ track: r.track, samples: r.count }));
  const head = writeMp4FileHead(tracks, chunks);
  const pieces: ClipPiece[] = [];
  for (const r of runs) {
    const file = kept[r.track]!.units[r.first]!.file;
    const last = pieces[pieces.length - 1];
    if (last && last.file === file && last.offset + last.size === r.offset && last.size + r.size <= MAX_CHUNK_BYTES) last.size += r.size;
    else pieces.push({ file, offset: r.offset, size: r.size });
  }
  return { head: head.bytes, pieces, length: head.bytes.length + head.dataSize };
}
