// Linear PCM over RTP: L16 (RFC 3551 §4.5.11, static PT 10 stereo / 11 mono at 44100 Hz) and L24
// (RFC 3190 §4): big-endian samples, interleaved channels, one clock tick per sample frame.

import type { Track } from '../../media/track.js';
import { chunk, FramePerPacketDepacketizer, type DepacketizedFrame, type DepacketizerInput } from './frame.js';

/** Bytes per sample of one channel: 2 for L16, 3 for L24. */
export function lpcmSampleBytes(track: Pick<Track, 'codec'>): number {
  return track.codec === 'L24' ? 3 : 2;
}

/** Bytes of one sample frame (all channels). */
export function lpcmFrameBytes(track: Pick<Track, 'codec' | 'channels'>): number {
  return lpcmSampleBytes(track) * Math.max(1, track.channels ?? 1);
}

/** Duration of a payload in clock ticks (sample frames): bytes / width / channels. */
export function lpcmTicks(track: Pick<Track, 'codec' | 'channels'>, data: Uint8Array): number {
  return Math.floor(data.length / lpcmFrameBytes(track));
}

/** Splits frames into payloads of at most `mtu` bytes, cut on sample-frame boundaries (RFC 3551 §4.5.11). */
export function packetizeLpcm(track: Pick<Track, 'codec' | 'channels'>, frames: Uint8Array[], mtu: number): Uint8Array[] {
  const unit = lpcmFrameBytes(track);
  const max = Math.floor(mtu / unit) * unit;
  if (max < unit) throw new Error(`MTU ${mtu} is too small for ${track.codec} with ${track.channels ?? 1} channel(s)`);
  const out: Uint8Array[] = [];
  for (const f of frames) out.push(...chunk(f.subarray(0, f.length - (f.length % unit)), max));
  return out;
}

/** One frame per packet; a payload that is not a whole number of sample frames is cut to one that is. */
export class LpcmDepacketizer extends FramePerPacketDepacketizer {
  constructor(private readonly unit: number) {
    super();
  }

  override push(pkt: DepacketizerInput): DepacketizedFrame[] {
    const whole = pkt.payload.length - (pkt.payload.length % this.unit);
    if (whole === 0) return super.push({ ...pkt, payload: new Uint8Array(0) });
    return super.push(whole === pkt.payload.length ? pkt : { ...pkt, payload: pkt.payload.subarray(0, whole) });
  }
}
