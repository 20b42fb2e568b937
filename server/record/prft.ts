// The producer reference time box (ISO 14496-12 8.16.5): the wall clock of a fragment's media time, before its moof.

/** 1900-01-01 to 1970-01-01 in seconds (NTP era 0). */
const NTP_UNIX_OFFSET = 2208988800;

/** A prft v1: `trackId`'s `mediaTime` (its timescale, as the fragment's tfdt) happened at `wallMs` (Unix ms). */
export function writePrft(trackId: number, wallMs: number, mediaTime: number): Uint8Array {
  const b = new Uint8Array(32);
  const v = new DataView(b.buffer);
  v.setUint32(0, 32);
  b.set([0x70, 0x72, 0x66, 0x74], 4); // 'prft'
  v.setUint32(8, 0x01000000); // version 1, flags 0
  v.setUint32(12, trackId);
  const secs = Math.floor(wallMs / 1000);
  v.setUint32(16, secs + NTP_UNIX_OFFSET);
  v.setUint32(20, Math.floor(((wallMs - secs * 1000) / 1000) * 2 ** 32));
  v.setBigUint64(24, BigInt(Math.max(0, Math.round(mediaTime))));
  return b;
}

export interface Prft {
  trackId: number;
  wallMs: number;
  mediaTime: number;
}

/** A prft body (after the 8-byte header), or undefined when it is too short. */
export function readPrft(body: Uint8Array): Prft | undefined {
  if (body.length < 20) return undefined;
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const version = body[0]!;
  const trackId = v.getUint32(4);
  const wallMs = (v.getUint32(8) - NTP_UNIX_OFFSET) * 1000 + (v.getUint32(12) / 2 ** 32) * 1000;
  const mediaTime = version === 1 ? (body.length >= 24 ? Number(v.getBigUint64(16)) : NaN) : v.getUint32(16);
  if (!Number.isFinite(mediaTime)) return undefined;
  return { trackId, wallMs, mediaTime };
}
