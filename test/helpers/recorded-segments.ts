// Segment files written the recorder's way (init + track box, then prft + fragment per part) from synthetic units:
// recordings for the reader's tests without a live source.
import { writeFileSync } from 'node:fs';
import { Fmp4Muxer } from '../../server/mux/fmp4-muxer.js';
import { writePrft } from '../../server/record/prft.js';
import { fragmentTimes } from '../../server/record/fragment-times.js';
import { writeTrackBox } from '../../server/record/track-box.js';
import type { Track } from '../../server/media/track.js';
import type { AccessUnit } from '../../server/media/access-unit.js';

const SPS = new Uint8Array([0x67, 0x42, 0xc0, 0x1e, 0xd9, 0x00, 0xa0, 0x47, 0xfe, 0xc8]);
const PPS = new Uint8Array([0x68, 0xce, 0x3c, 0x80]);

export const VIDEO: Track = { id: 0, kind: 'video', codec: 'H264', clockRate: 90000, payloadType: 96, h264: { sps: [SPS], pps: [PPS] } } as Track;
export const AUDIO: Track = { id: 1, kind: 'audio', codec: 'AAC', clockRate: 48000, channels: 2, sampleRate: 48000, payloadType: 97, aac: { asc: new Uint8Array([0x11, 0x90]) } } as Track;

/**
 * Video at 30 fps (a key frame every `gop` frames, frame n's first NAL byte carries n; `pad` bytes of filler NAL after
 * it) and AAC frames, from `fromSec` for `sec` seconds.
 */
export function units(fromSec: number, sec: number, gop = 30, pad = 0): { trackId: number; au: AccessUnit }[] {
  const out: { trackId: number; au: AccessUnit; t: number }[] = [];
  const f0 = Math.round(fromSec * 30);
  for (let f = f0; f < f0 + Math.round(sec * 30); f++) {
    const key = f % gop === 0;
    out.push({ trackId: 0, t: f / 30, au: { pts: f * 3000, dts: f * 3000, duration: 3000, key, data: [new Uint8Array([key ? 0x65 : 0x41, f & 0xff, 1, 2, 3]), ...(pad ? [new Uint8Array(pad).fill(0x0c)] : [])] } });
  }
  const a0 = Math.ceil((fromSec * 48000) / 1024);
  for (let a = a0; a * 1024 < (fromSec + sec) * 48000; a++) {
    out.push({ trackId: 1, t: (a * 1024) / 48000, au: { pts: a * 1024, dts: a * 1024, duration: 1024, key: true, data: [new Uint8Array([0x21, a & 0xff])] } });
  }
  return out.sort((x, y) => x.t - y.t);
}

/**
 * Writes one segment as the recorder does: stream time 0 was Unix ms `wall0`, and file time is stream time + `shiftSec`
 * (the recorder starts each file near 0.5 s). Returns the bytes' length at each fragment end.
 */
export function writeSegment(file: string, tracks: Track[], us: { trackId: number; au: AccessUnit }[], wall0: number, shiftSec = 0, partSec = 1): number[] {
  const mux = new Fmp4Muxer(tracks, { fragmentSeconds: partSec, shiftSeconds: shiftSec });
  const parts: Uint8Array[] = [mux.init, writeTrackBox(mux.tracks)];
  const ends: number[] = [];
  let size = parts[0]!.length + parts[1]!.length;
  const add = (chunks: { bytes: Uint8Array }[]): void => {
    for (const c of chunks) {
      const t = fragmentTimes(c.bytes)[0]!;
      const clock = tracks.find((x) => x.id === t.trackId - 1)!.clockRate;
      const prft = writePrft(t.trackId, wall0 + (t.baseDecodeTime / clock - shiftSec) * 1000, t.baseDecodeTime);
      parts.push(prft, c.bytes);
      size += prft.length + c.bytes.length;
      ends.push(size);
    }
  };
  for (const u of us) add(mux.push(u.trackId, u.au));
  add(mux.flush());
  writeFileSync(file, Buffer.concat(parts));
  return ends;
}
