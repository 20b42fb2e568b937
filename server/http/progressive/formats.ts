// The two progressive formats behind one interface: fragmented MP4 (an init segment, then fragments) and MPEG-TS.
import type { Track } from '../../media/track.js';
import type { AccessUnit } from '../../media/access-unit.js';
import { Fmp4Muxer, type MuxChunk } from '../../mux/fmp4-muxer.js';
import { TsMuxer } from '../../mux/mpegts.js';

export type ProgressiveFormat = 'mp4' | 'ts';

export const CONTENT_TYPES: Record<ProgressiveFormat, string> = {
  mp4: 'video/mp4',
  ts: 'video/mp2t',
};

export interface ProgressiveMuxer {
  /** Sent once before any chunk (the fMP4 init segment); TS needs none (PAT/PMT precede each join point). */
  readonly head: Uint8Array | undefined;
  /** The tracks the format carries (others are left out: G.711, G.722 and KLV in either, Opus > 2 channels in MP4, LPCM and M-JPEG in TS). */
  readonly tracks: Track[];
  push(trackId: number, au: AccessUnit): MuxChunk[];
  flush(): MuxChunk[];
}

export interface MuxerOptions {
  /** Live: one fMP4 fragment per frame, sent as soon as it is complete. Files: ~0.5 s fragments. */
  live: boolean;
  /** fMP4: seconds added to every time so none is negative (default: from the first unit). */
  shiftSeconds?: number;
}

export function createMuxer(format: ProgressiveFormat, tracks: Track[], opts: MuxerOptions): ProgressiveMuxer {
  if (format === 'mp4') {
    const m = new Fmp4Muxer(tracks, { fragmentSeconds: opts.live ? 0 : 0.5, ...(opts.shiftSeconds !== undefined ? { shiftSeconds: opts.shiftSeconds } : {}) });
    return { head: m.init, tracks: m.tracks, push: (id, au) => m.push(id, au), flush: () => m.flush() };
  }
  const m = new TsMuxer(tracks);
  return {
    head: undefined,
    tracks: m.tracks,
    push: (id, au) => {
      const c = m.mux(id, au);
      return c ? [c] : [];
    },
    flush: () => [],
  };
}

/** Whether a format can carry a codec at all (a live track's parameter sets may still be unknown). */
export function formatCarries(format: ProgressiveFormat, t: Track): boolean {
  if (t.codec === 'H264' || t.codec === 'H265' || t.codec === 'AAC' || t.codec === 'MPA' || t.codec === 'AC3') return true;
  if (t.codec === 'OPUS') return format === 'ts' || (t.channels ?? 2) <= 2;
  // fMP4 only (vp08/vp09 + vpcC, av01 + av1C); MPEG-TS has no VP8/VP9 stream type here.
  if (t.codec === 'VP8' || t.codec === 'VP9' || t.codec === 'AV1') return format === 'mp4';
  // LPCM ('ipcm', ISO/IEC 23003-5) and M-JPEG ('mp4v', objectTypeIndication 0x6C) have a place in
  // MP4 only; G.722, G.711 and KLV data have none in either format and are left out.
  if (t.codec === 'L16' || t.codec === 'L24' || t.codec === 'MJPEG') return format === 'mp4';
  return false;
}

/** Words for a 415 when a format can carry none of a path's tracks. */
export function nothingToCarry(format: ProgressiveFormat, tracks: Track[], path: string): string {
  const codecs = tracks.map((t) => t.codec).join(', ') || 'no tracks';
  const carried = format === 'mp4' ? 'H.264, H.265, VP8, VP9, AV1, AAC, MP3 (MPA), AC-3, Opus (mono or stereo), LPCM (L16, L24) and M-JPEG' : 'H.264, H.265, AAC, MP3 (MPA), AC-3 and Opus';
  return `/${path} has ${codecs}; stream.${format} carries ${carried}`;
}
