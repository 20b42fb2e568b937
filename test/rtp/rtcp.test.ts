import { describe, it, expect } from 'vitest';
import {
  buildBye,
  buildReceiverReport,
  buildSdesCname,
  buildSenderReport,
  concatRtcp,
  parseRtcpCompound,
  type RtcpReportBlock,
} from '../../server/rtp/rtcp.js';
import { mutate, prng, randInt, randomBytes } from './prng.js';

const block: RtcpReportBlock = {
  ssrc: 0x11223344,
  fractionLost: 51,
  cumulativeLost: -5,
  highestSeq: 0x0001fffe,
  jitter: 123,
  lastSr: 0x56789abc,
  delaySinceLastSr: 65536,
};

describe('RTCP build -> parse', () => {
  it('sender report with a report block', () => {
    const sr = buildSenderReport({
      ssrc: 0xdeadbeef, ntpSeconds: 0xe8000000, ntpFraction: 0x80000000, rtpTimestamp: 0xffffffff,
      packetCount: 10, octetCount: 14000, reports: [block],
    });
    expect(sr.length).toBe(52);
    expect([...sr.subarray(0, 4)]).toEqual([0x81, 200, 0, 12]);
    expect(parseRtcpCompound(sr)).toEqual([{
      type: 'sr', ssrc: 0xdeadbeef, ntpSeconds: 0xe8000000, ntpFraction: 0x80000000, rtpTimestamp: 0xffffffff,
      packetCount: 10, octetCount: 14000, reports: [block],
    }]);
  });

  it('sender report without blocks is 28 bytes, length 6', () => {
    const sr = buildSenderReport({ ssrc: 1, ntpSeconds: 2, ntpFraction: 3, rtpTimestamp: 4, packetCount: 5, octetCount: 6 });
    expect([...sr.subarray(0, 4)]).toEqual([0x80, 200, 0, 6]);
    expect(parseRtcpCompound(sr)[0]).toMatchObject({ type: 'sr', reports: [] });
  });

  it('receiver report, cumulativeLost at the signed 24-bit limits', () => {
    const blocks = [
      { ...block, cumulativeLost: -0x800000 },
      { ...block, cumulativeLost: 0x7fffff, ssrc: 2 },
      { ...block, cumulativeLost: -1, ssrc: 3 },
    ];
    const rr = buildReceiverReport({ ssrc: 7, reports: blocks });
    expect([...rr.subarray(12, 16)]).toEqual([51, 0x80, 0, 0]);
    expect(parseRtcpCompound(rr)).toEqual([{ type: 'rr', ssrc: 7, reports: blocks }]);
    // Out-of-range values clamp rather than wrap into the wrong sign.
    const clamped = parseRtcpCompound(buildReceiverReport({ ssrc: 7, reports: [{ ...block, cumulativeLost: -1e9 }] }));
    expect(clamped[0]).toMatchObject({ reports: [{ cumulativeLost: -0x800000 }] });
  });

  it('SDES CNAME pads the chunk to 32 bits with at least one null octet', () => {
    for (const cname of ['', 'ab', 'abc', 'abcd', 'tidecast@host.example', 'ü-ñ']) {
      const sdes = buildSdesCname(0x01020304, cname);
      expect(sdes.length % 4).toBe(0);
      expect(sdes[sdes.length - 1]).toBe(0);
      expect(parseRtcpCompound(sdes)).toEqual([{ type: 'sdes', chunks: [{ ssrc: 0x01020304, items: [{ type: 1, text: cname }] }] }]);
    }
  });

  it('BYE with and without reason', () => {
    expect(parseRtcpCompound(buildBye([1, 0xffffffff]))).toEqual([{ type: 'bye', ssrcs: [1, 0xffffffff] }]);
    const bye = buildBye([5], 'teardown');
    expect(bye.length % 4).toBe(0);
    expect(parseRtcpCompound(bye)).toEqual([{ type: 'bye', ssrcs: [5], reason: 'teardown' }]);
  });

  it('compound SR + SDES + BYE', () => {
    const sr = buildSenderReport({ ssrc: 9, ntpSeconds: 1, ntpFraction: 2, rtpTimestamp: 3, packetCount: 4, octetCount: 5 });
    const compound = concatRtcp(sr, buildSdesCname(9, 'x@y'), buildBye([9]));
    const parsed = parseRtcpCompound(compound);
    expect(parsed.map((p) => p.type)).toEqual(['sr', 'sdes', 'bye']);
    expect(parsed[1]).toEqual({ type: 'sdes', chunks: [{ ssrc: 9, items: [{ type: 1, text: 'x@y' }] }] });
  });

  it('SDES with two chunks and several items (RFC 3550 §6.5)', () => {
    const b = Uint8Array.from([
      0x82, 202, 0, 7,
      0, 0, 0, 1, 1, 3, 97, 98, 99, 2, 1, 110, 0, 0, 0, 0, // CNAME "abc", NAME "n", null, pad -> 16 bytes
      0, 0, 0, 2, 1, 2, 120, 121, 0, 0, 0, 0, // CNAME "xy", null + pad -> 12 bytes
    ]);
    expect(parseRtcpCompound(b)).toEqual([{
      type: 'sdes',
      chunks: [
        { ssrc: 1, items: [{ type: 1, text: 'abc' }, { type: 2, text: 'n' }] },
        { ssrc: 2, items: [{ type: 1, text: 'xy' }] },
      ],
    }]);
  });

  it('APP, feedback (unknown) and padding', () => {
    const app = Uint8Array.from([0x83, 204, 0, 3, 0, 0, 0, 7, 0x54, 0x49, 0x44, 0x45, 1, 2, 3, 4]);
    const pli = Uint8Array.from([0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]);
    const paddedRr = Uint8Array.from([0xa0, 201, 0, 2, 0, 0, 0, 5, 0, 0, 0, 4]);
    const parsed = parseRtcpCompound(concatRtcp(app, pli, paddedRr));
    expect(parsed[0]).toMatchObject({ type: 'app', subtype: 3, ssrc: 7, name: 'TIDE' });
    expect([...(parsed[0] as { data: Uint8Array }).data]).toEqual([1, 2, 3, 4]);
    expect(parsed[1]).toMatchObject({ type: 'unknown', packetType: 206, count: 1 });
    expect(parsed[2]).toEqual({ type: 'rr', ssrc: 5, reports: [] });
  });
});

describe('RTCP malformed input', () => {
  const bad: [string, number[], RegExp][] = [
    ['too short', [0x80, 200], /too short/],
    ['version 1', [0x40, 201, 0, 1, 0, 0, 0, 1], /version 1/],
    ['length beyond the buffer', [0x80, 201, 0, 5, 0, 0, 0, 1], /declares 24 bytes/],
    ['RR count beyond the length', [0x81, 201, 0, 1, 0, 0, 0, 1], /receiver report too short/],
    ['SR shorter than sender info', [0x80, 200, 0, 1, 0, 0, 0, 1], /sender report too short/],
    ['trailing bytes', [0x80, 201, 0, 1, 0, 0, 0, 1, 0x80, 201], /trailing/],
    ['SDES item overrun', [0x81, 202, 0, 2, 0, 0, 0, 1, 1, 9, 97, 0], /overruns/],
    ['SDES without terminator', [0x81, 202, 0, 2, 0, 0, 0, 1, 1, 2, 97, 98], /not terminated/],
    ['SDES chunk missing', [0x82, 202, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0], /chunk 2 of 2/],
    ['BYE reason overrun', [0x81, 203, 0, 2, 0, 0, 0, 1, 9, 97, 98, 99], /reason/],
    ['bad padding', [0xa0, 201, 0, 1, 0, 0, 0, 9], /padding/],
  ];
  for (const [name, bytes, re] of bad) {
    it(`throws on ${name}`, () => {
      expect(() => parseRtcpCompound(Uint8Array.from(bytes))).toThrow(re);
    });
  }

  it('throws when a builder is given more than 31 blocks', () => {
    expect(() => buildReceiverReport({ ssrc: 1, reports: Array(32).fill(block) })).toThrow(/31/);
  });

  it('fuzz: parser throws only Error instances (20 000 inputs, seed 13)', () => {
    const rnd = prng(13);
    const seed = concatRtcp(
      buildSenderReport({ ssrc: 1, ntpSeconds: 2, ntpFraction: 3, rtpTimestamp: 4, packetCount: 5, octetCount: 6, reports: [block] }),
      buildSdesCname(1, 'fuzz@tidecast'),
      buildBye([1], 'bye'),
    );
    let parsed = 0;
    for (let i = 0; i < 20000; i++) {
      const input = i % 4 === 0 ? randomBytes(rnd, randInt(rnd, 64)) : mutate(rnd, seed);
      try {
        parseRtcpCompound(input);
        parsed++;
      } catch (e) {
        if (!(e instanceof Error)) throw new Error(`non-Error thrown at iteration ${i}`);
      }
    }
    expect(parsed).toBeGreaterThan(0);
  });
});
