// MPEG-TS muxer: 188-byte packets, valid PSI CRCs, tables before key frames, continuity counters, PTS/DTS/PCR encoding.
import { describe, expect, it } from 'vitest';
import type { Track } from '../../server/media/track.js';
import type { AccessUnit } from '../../server/media/access-unit.js';
import { crc32, TsMuxer, TS_PACKET } from '../../server/mux/mpegts.js';

const SPS = Uint8Array.of(0x67, 0x64, 0x00, 0x1e, 0xac, 0xd1, 0x00, 0xa0, 0x2f, 0xf9, 0x70, 0x11);
const PPS = Uint8Array.of(0x68, 0xeb, 0xec, 0xb2, 0x2c);
const video: Track = { id: 0, kind: 'video', codec: 'H264', clockRate: 90000, payloadType: 96, h264: { sps: [SPS], pps: [PPS] } };
const audio: Track = { id: 1, kind: 'audio', codec: 'AAC', clockRate: 48000, channels: 2, sampleRate: 48000, payloadType: 97, aac: { asc: Uint8Array.of(0x11, 0x90) } };
const g711: Track = { id: 2, kind: 'audio', codec: 'PCMU', clockRate: 8000, channels: 1, payloadType: 0 };

const vu = (pts: number, dts: number, key: boolean, size = 3000): AccessUnit => ({ pts, dts, duration: 3000, key, data: [Uint8Array.of(key ? 0x65 : 0x41, ...new Array(size).fill(7))] });
const au = (pts: number): AccessUnit => ({ pts, dts: pts, duration: 1024, key: true, data: [new Uint8Array(300).fill(1)] });

function packets(b: Uint8Array): Uint8Array[] {
  expect(b.length % TS_PACKET).toBe(0);
  const out: Uint8Array[] = [];
  for (let o = 0; o < b.length; o += TS_PACKET) out.push(b.subarray(o, o + TS_PACKET));
  for (const p of out) expect(p[0]).toBe(0x47);
  return out;
}
const pidOf = (p: Uint8Array): number => ((p[1]! & 0x1f) << 8) | p[2]!;

describe('TsMuxer', () => {
  it('leaves G.711 out and puts PAT/PMT with valid CRCs before every key frame', () => {
    const m = new TsMuxer([video, audio, g711]);
    expect(m.tracks.map((t) => t.codec)).toEqual(['H264', 'AAC']);
    expect(m.mux(2, au(0))).toBeNull();
    const key = m.mux(0, vu(3000, 0, true))!;
    expect(key.joinable).toBe(true);
    const ps = packets(key.bytes);
    expect(pidOf(ps[0]!)).toBe(0);
    expect(pidOf(ps[1]!)).toBe(0x1000);
    for (const p of ps.slice(0, 2)) {
      const len = ((p[6]! & 0x0f) << 8) | p[7]!;
      expect(crc32(p.subarray(5, 5 + 3 + len))).toBe(0); // a section with its CRC checks to 0
    }
    // PMT lists H.264 (0x1b) and AAC-ADTS (0x0f), PCR on the video PID.
    const pmt = ps[1]!;
    expect(((pmt[13]! & 0x1f) << 8) | pmt[14]!).toBe(0x100);
    expect([pmt[17], pmt[22]]).toEqual([0x1b, 0x0f]);
    // First PES packet: PUSI, random access and PCR in the adaptation field, SPS/PPS in-band.
    const first = ps[2]!;
    expect(first[1]! & 0x40).toBe(0x40);
    expect(first[5]! & 0x50).toBe(0x50);
    const body = Buffer.from(key.bytes);
    expect(body.indexOf(Buffer.from([0, 0, 0, 1, 0x67]))).toBeGreaterThan(0);
    const delta = m.mux(0, vu(9000, 3000, false))!;
    expect(delta.joinable).toBe(false);
    expect(pidOf(packets(delta.bytes)[0]!)).toBe(0x100);
  });

  it('counts continuity per PID and encodes PTS/DTS with the offset', () => {
    const m = new TsMuxer([video, audio], { offset90k: 0 });
    const cc = new Map<number, number>();
    const all: Uint8Array[] = [];
    for (let i = 0; i < 30; i++) {
      all.push(m.mux(0, vu(i * 3000 + 3000, i * 3000, i % 10 === 0, 500 + i * 97))!.bytes);
      all.push(m.mux(1, au(i * 1024))!.bytes);
    }
    for (const p of packets(Uint8Array.from(Buffer.concat(all)))) {
      const pid = pidOf(p);
      const c = p[3]! & 15;
      if (cc.has(pid)) expect(c).toBe((cc.get(pid)! + 1) & 15);
      cc.set(pid, c);
    }
    // PTS and DTS as written in the PES header (33 bits, marker bits between).
    const b = Buffer.from(m.mux(0, vu(123456789, 123450000, false))!.bytes);
    const pes = b.indexOf(Buffer.from([0, 0, 1, 0xe0]));
    const read = (o: number): number => (((b[o]! >> 1) & 7) * 2 ** 30) + (b[o + 1]! << 22) + ((b[o + 2]! >> 1) << 15) + (b[o + 3]! << 7) + (b[o + 4]! >> 1);
    expect(b[pes + 7]).toBe(0xc0);
    expect(read(pes + 9)).toBe(123456789);
    expect(read(pes + 14)).toBe(123450000);
  });

  it('an audio-only stream repeats its tables and every chunk with them is joinable', () => {
    const m = new TsMuxer([{ ...audio, id: 0 }]);
    const chunks = Array.from({ length: 100 }, (_, i) => m.mux(0, au(i * 1024))!);
    const joinable = chunks.filter((c) => c.joinable).length;
    expect(chunks[0]!.joinable).toBe(true);
    // 100 frames of 21.3 ms = 2.1 s: tables at least every 0.5 s.
    expect(joinable).toBeGreaterThanOrEqual(4);
  });
});
