import { describe, it, expect } from 'vitest';
import {
  RTP_HEADER_SIZE,
  buildRtpPacket,
  isRtcpPacket,
  parseRtpPacket,
  writeRtpHeader,
  type RtpHeader,
} from '../../server/rtp/packet.js';
import { mutate, prng, randInt, randomBytes } from './prng.js';

const cases: { name: string; h: RtpHeader; bytes?: number[] }[] = [
  {
    name: 'typical H.264 packet',
    h: { payloadType: 96, marker: true, sequenceNumber: 0x1234, timestamp: 0x89abcdef, ssrc: 0xdeadbeef },
    bytes: [0x80, 0xe0, 0x12, 0x34, 0x89, 0xab, 0xcd, 0xef, 0xde, 0xad, 0xbe, 0xef],
  },
  {
    name: 'all zero',
    h: { payloadType: 0, marker: false, sequenceNumber: 0, timestamp: 0, ssrc: 0 },
    bytes: [0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  },
  {
    name: 'max values',
    h: { payloadType: 127, marker: true, sequenceNumber: 0xffff, timestamp: 0xffffffff, ssrc: 0xffffffff },
    bytes: [0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  },
  { name: 'PCMA, no marker', h: { payloadType: 8, marker: false, sequenceNumber: 1, timestamp: 160, ssrc: 42 } },
  { name: 'seq just before wrap', h: { payloadType: 97, marker: false, sequenceNumber: 65535, timestamp: 1, ssrc: 7 } },
];

describe('RTP header', () => {
  for (const c of cases) {
    it(`round-trips: ${c.name}`, () => {
      const payload = Uint8Array.of(1, 2, 3);
      const pkt = buildRtpPacket(c.h, payload);
      expect(pkt.length).toBe(RTP_HEADER_SIZE + 3);
      if (c.bytes) expect([...pkt.subarray(0, 12)]).toEqual(c.bytes);
      const p = parseRtpPacket(pkt);
      expect({ ...p, payload: [...p.payload] }).toEqual({ ...c.h, payload: [1, 2, 3], padding: false, csrc: [] });
    });
  }

  it('writes at an offset and masks out-of-range numbers', () => {
    const buf = new Uint8Array(20).fill(0xaa);
    writeRtpHeader(buf, 4, { payloadType: 96, marker: false, sequenceNumber: 65536 + 5, timestamp: 2 ** 32 + 9, ssrc: -1 });
    expect(buf[3]).toBe(0xaa);
    expect(buf[16]).toBe(0xaa);
    const p = parseRtpPacket(buf.subarray(4, 16));
    expect(p.sequenceNumber).toBe(5);
    expect(p.timestamp).toBe(9);
    expect(p.ssrc).toBe(0xffffffff);
  });

  it('seq wraps from 65535 to 0 when incremented by the caller', () => {
    const buf = new Uint8Array(12);
    writeRtpHeader(buf, 0, { payloadType: 96, marker: false, sequenceNumber: 65535 + 1, timestamp: 0, ssrc: 0 });
    expect(parseRtpPacket(buf).sequenceNumber).toBe(0);
  });

  it('parses CSRCs, extension and padding, payload as a view', () => {
    const b = Uint8Array.from([
      0xb2, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, // V=2 P=1 X=1 CC=2, PT 96
      0, 0, 0, 10, 0, 0, 0, 11, // CSRCs
      0xbe, 0xde, 0, 1, 0x10, 0xff, 0, 0, // one-byte header extension, 1 word
      9, 8, 7, // payload
      0, 0, 3, // 3 bytes of padding
    ]);
    const p = parseRtpPacket(b);
    expect(p.padding).toBe(true);
    expect(p.csrc).toEqual([10, 11]);
    expect(p.extension?.profile).toBe(0xbede);
    expect([...p.extension!.data]).toEqual([0x10, 0xff, 0, 0]);
    expect([...p.payload]).toEqual([9, 8, 7]);
    expect(p.payload.buffer).toBe(b.buffer);
  });

  const bad: [string, number[], RegExp][] = [
    ['too short', [0x80, 96, 0, 1], /too short/],
    ['version 1', [0x40, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], /version 1/],
    ['CSRC overrun', [0x83, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], /CSRC/],
    ['extension header missing', [0x90, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe], /extension/],
    ['extension overrun', [0x90, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0, 2, 1, 2, 3, 4], /extension/],
    ['padding zero', [0xa0, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0], /padding/],
    ['padding overrun', [0xa0, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 9], /padding/],
  ];
  for (const [name, bytes, re] of bad) {
    it(`rejects ${name}`, () => {
      expect(() => parseRtpPacket(Uint8Array.from(bytes))).toThrow(re);
    });
  }

  it('tells RTCP from RTP on a muxed channel (RFC 5761)', () => {
    expect(isRtcpPacket(Uint8Array.of(0x80, 200, 0, 6))).toBe(true);
    expect(isRtcpPacket(Uint8Array.of(0x81, 201, 0, 7))).toBe(true);
    expect(isRtcpPacket(Uint8Array.of(0x80, 96, 0, 1))).toBe(false);
    expect(isRtcpPacket(Uint8Array.of(0x80, 0xe0, 0, 1))).toBe(false); // PT 96 + marker
    expect(isRtcpPacket(Uint8Array.of(0x80))).toBe(false);
  });

  it('fuzz: parser throws only Error instances (20 000 inputs, seed 1)', () => {
    const rnd = prng(1);
    const seed = buildRtpPacket({ payloadType: 96, marker: true, sequenceNumber: 1, timestamp: 2, ssrc: 3 }, randomBytes(rnd, 40));
    let ok = 0;
    for (let i = 0; i < 20000; i++) {
      const input = i % 3 === 0 ? randomBytes(rnd, randInt(rnd, 40)) : mutate(rnd, seed);
      try {
        const p = parseRtpPacket(input);
        expect(p.payload.length).toBeLessThanOrEqual(input.length - 12);
        ok++;
      } catch (e) {
        if (!(e instanceof Error)) throw new Error(`non-Error thrown at iteration ${i}`);
      }
    }
    expect(ok).toBeGreaterThan(0);
  });
});
