// LATM (RFC 6416), MPEG audio (RFC 2250) and AC-3 (RFC 4184): header parsing, packetize/depacketize round trips, hostile input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatmDepacketizer, makeStreamMuxConfig, packetizeLatm, parseStreamMuxConfig } from '../../../server/rtp/codecs/latm.js';
import { MpaDepacketizer, mpaTicks, packetizeMpa, parseMpaHeader } from '../../../server/rtp/codecs/mpa.js';
import { Ac3Depacketizer, dac3Of, packetizeAc3, parseAc3Header } from '../../../server/rtp/codecs/ac3.js';
import type { Depacketizer } from '../../../server/rtp/codecs/frame.js';
import { asPackets, patterned } from '../prng.js';
import { fuzz } from '../../helpers/fuzz.js';

const hex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!, (x) => parseInt(x, 16));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** MPEG-1 Layer III 128 kbit/s 44.1 kHz stereo (417 bytes) and MPEG-2 Layer III 64 kbit/s 22.05 kHz mono (208 bytes). */
const mp3a = (salt = 0): Uint8Array => patterned([0xff, 0xfb, 0x90, 0x00], 417, salt);
const mp3b = (salt = 0): Uint8Array => patterned([0xff, 0xf3, 0x80, 0xc0], 208, salt);
/** AC-3 48 kHz 128 kbit/s 2/0 (512 bytes): bsid 8, acmod 2. */
const ac3 = (salt = 0): Uint8Array => patterned([0x0b, 0x77, 0, 0, 0x10, 0x40, 0x40], 512, salt);

function roundTrip(d: Depacketizer, payloads: Uint8Array[], ts = 9000, seq = 100): Uint8Array[] {
  return asPackets(payloads, ts, seq).flatMap((p) => d.push(p)).filter((f) => !f.damaged).map((f) => f.data[0]!);
}

describe('StreamMuxConfig (ISO 14496-3 1.7.3)', () => {
  it.each([
    ['400024103fc0', 'ffmpeg -rtpflags latm', '1208'],
    ['40002410adca00', 'GStreamer rtpmp4apay (SBR sync extension, short tail)', '120856e500'],
    ['40002320adca00', 'GStreamer 48 kHz stereo', '119056e500'],
  ])('%s (%s) gives the AudioSpecificConfig %s', (config, _who, asc) => {
    const c = parseStreamMuxConfig(hex(config));
    expect(toHex(c.asc)).toBe(asc);
    expect(c.subFrames).toBe(1);
  });

  it.each([
    ['00', /truncated/],
    ['c0', /reserved/], // audioMuxVersionA 1
    ['4010241000', /one program/], // numProgram 1
    ['40000000', /not AAC/], // object type 0
  ])('refuses %s in words', (config, message) => {
    expect(() => parseStreamMuxConfig(hex(config))).toThrow(message);
  });

  it('makeStreamMuxConfig parses back', () => {
    expect(toHex(parseStreamMuxConfig(makeStreamMuxConfig(hex('1190'), 16)).asc)).toBe('1190');
  });
});

describe('LATM depacketizer', () => {
  const config = parseStreamMuxConfig(hex('400024103fc0'));
  it.each([1, 254, 255, 256, 510, 600])('a %i-byte frame round-trips through PayloadLengthInfo', (n) => {
    const f = patterned([0x21], n, n);
    const got = roundTrip(new LatmDepacketizer(config, false), packetizeLatm([f], 1400));
    expect(got).toEqual([f]);
  });

  it('reassembles an AudioMuxElement fragmented over packets (marker ends it)', () => {
    const f = patterned([0x21], 3000, 3);
    const payloads = packetizeLatm([f], 1000);
    expect(payloads).toHaveLength(4);
    expect(roundTrip(new LatmDepacketizer(config, false), payloads)).toEqual([f]);
  });

  it('drops an element missing a fragment, and a length pointing past the data', () => {
    const d = new LatmDepacketizer(config, false);
    const payloads = packetizeLatm([patterned([0x21], 3000, 4)], 1000);
    const pkts = asPackets(payloads, 0, 1).filter((_, i) => i !== 1);
    expect(pkts.flatMap((p) => d.push(p)).filter((f) => !f.damaged)).toEqual([]);
    const bad = new LatmDepacketizer(config, false).push({ payload: Uint8Array.of(200, 1, 2), marker: true, timestamp: 0, sequenceNumber: 0 });
    expect(bad.every((f) => f.damaged)).toBe(true);
  });

  it('after a loss, the tail of the torn element is dropped even when it parses; the next element comes out', () => {
    const d = new LatmDepacketizer(config, false);
    const at = (payload: Uint8Array, sequenceNumber: number, timestamp: number, marker: boolean) => d.push({ payload, sequenceNumber, timestamp, marker });
    expect(at(patterned([0x21], 900, 5), 10, 3000, false)).toEqual([]);
    // Packet 11 (the middle) is lost; 12 ends the element and reads as a whole 2-byte frame.
    expect(at(Uint8Array.of(2, 0xaa, 0xbb), 12, 3000, true)).toEqual([]);
    expect(at(packetizeLatm([Uint8Array.of(1, 2, 3)], 1400)[0]!, 13, 4024, true)).toEqual([{ timestamp: 4024, data: [Uint8Array.of(1, 2, 3)] }]);
    // A loss between whole one-packet elements costs nothing more: the new timestamp starts an element.
    expect(at(packetizeLatm([Uint8Array.of(4, 5)], 1400)[0]!, 15, 6072, true)).toEqual([{ timestamp: 6072, data: [Uint8Array.of(4, 5)] }]);
  });

  it('cpresent=1: reads the in-band StreamMuxConfig and reports it', () => {
    // useSameStreamMux 0 + StreamMuxConfig (44 bits) + length 3 + 3 bytes: built bit by bit.
    const smc = hex('400024103fc0');
    const bits: number[] = [0];
    for (let i = 0; i < 44; i++) bits.push((smc[i >>> 3]! >>> (7 - (i & 7))) & 1);
    for (const b of [3, 0xaa, 0xbb, 0xcc]) for (let i = 7; i >= 0; i--) bits.push((b >>> i) & 1);
    const payload = new Uint8Array(Math.ceil(bits.length / 8));
    bits.forEach((b, i) => (payload[i >>> 3]! |= b << (7 - (i & 7))));
    let learnt = '';
    const d = new LatmDepacketizer(undefined, true, (c) => (learnt = toHex(c.asc)));
    const out = d.push({ payload, marker: true, timestamp: 5, sequenceNumber: 0 });
    expect(learnt).toBe('1208');
    expect(out.map((f) => toHex(f.data[0]!))).toEqual(['aabbcc']);
  });
});

describe('MPEG audio frame header (ISO 11172-3 / 13818-3)', () => {
  it.each([
    [[0xff, 0xfb, 0x90, 0x00], { version: 1, layer: 3, sampleRate: 44100, channels: 2, frameSize: 417, samples: 1152 }],
    [[0xff, 0xf3, 0x80, 0xc0], { version: 2, layer: 3, sampleRate: 22050, channels: 1, frameSize: 208, samples: 576 }],
    [[0xff, 0xfd, 0xa4, 0x00], { version: 1, layer: 2, sampleRate: 48000, channels: 2, frameSize: 576, samples: 1152 }],
  ])('%j', (bytes, want) => {
    expect(parseMpaHeader(Uint8Array.from(bytes))).toMatchObject(want);
  });
  it.each([[[0xff, 0xfb, 0xf0, 0x00]], [[0xff, 0xfb, 0x9c, 0x00]], [[0xff, 0xf9, 0x90, 0]], [[0xff, 0xfb]], [[0, 0, 0, 0]]])('refuses %j', (bytes) => {
    expect(parseMpaHeader(Uint8Array.from(bytes))).toBeUndefined();
  });
  it('durations in the 90 kHz clock', () => {
    expect(mpaTicks(parseMpaHeader(mp3a())!)).toBe(2351);
    expect(mpaTicks(parseMpaHeader(mp3b())!)).toBe(2351);
  });
});

describe('MPA depacketizer (RFC 2250 §3.5)', () => {
  it('several frames per packet, each at its own time', () => {
    const frames = [mp3b(1), mp3b(2), mp3b(3)];
    const d = new MpaDepacketizer();
    const out = d.push({ payload: new Uint8Array([0, 0, 0, 0, ...frames.flatMap((f) => [...f])]), marker: true, timestamp: 1000, sequenceNumber: 1 });
    expect(out.map((f) => f.timestamp)).toEqual([1000, 3351, 5702]);
    expect(out.map((f) => f.data[0])).toEqual(frames);
  });
  it('a frame across packets (Frag_offset)', () => {
    const f = mp3a(5);
    const payloads = packetizeMpa([f], 150);
    expect(payloads.map((p) => (p[2]! << 8) | p[3]!)).toEqual([0, 146, 292]);
    expect(roundTrip(new MpaDepacketizer(), payloads)).toEqual([f]);
  });
  it('drops a fragment whose offset does not follow, and garbage', () => {
    const payloads = packetizeMpa([mp3a(6)], 150);
    const d = new MpaDepacketizer();
    expect(asPackets([payloads[0]!, payloads[2]!], 0, 1).flatMap((p) => d.push(p))).toEqual([]);
    expect(new MpaDepacketizer().push({ payload: Uint8Array.of(0, 0, 0, 0, 1, 2, 3), marker: true, timestamp: 0, sequenceNumber: 0 })[0]?.damaged).toBe(true);
  });
});

describe('AC-3 (RFC 4184, ETSI TS 102 366)', () => {
  it('syncframe header and dac3', () => {
    const h = parseAc3Header(ac3())!;
    expect(h).toMatchObject({ sampleRate: 48000, frameSize: 512, channels: 2, bsid: 8, acmod: 2, lfeon: 0 });
    expect(toHex(dac3Of(h))).toBe('101100');
    // 44.1 kHz, frmsizecod 1 (32 kbit/s, odd: one word more): 70 words. 5.1: acmod 7 + LFE.
    expect(parseAc3Header(Uint8Array.of(0x0b, 0x77, 0, 0, 0x41, 0x40, 0xe1))).toMatchObject({ sampleRate: 44100, frameSize: 140, channels: 6 });
    expect(parseAc3Header(Uint8Array.of(0x0b, 0x77, 0, 0, 0xc0, 0x40, 0))).toBeUndefined();
  });
  it('whole frames (FT 0) and fragments (FT 1/2 then 3) round-trip', () => {
    const frames = [ac3(1), ac3(2)];
    const whole = packetizeAc3(frames, 1400);
    expect([whole[0]![0], whole[0]![1]]).toEqual([0, 2]);
    expect(roundTrip(new Ac3Depacketizer(), whole)).toEqual(frames);
    const frag = packetizeAc3([ac3(3)], 200);
    expect(frag.map((p) => p[0])).toEqual([2, 3, 3]);
    expect(roundTrip(new Ac3Depacketizer(), frag)).toEqual([ac3(3)]);
    expect(packetizeAc3([ac3(3)], 400).map((p) => p[0])).toEqual([1, 3]);
  });
  it('a lost fragment drops the frame; a torn FT 0 packet is damaged', () => {
    const frag = packetizeAc3([ac3(4)], 200);
    const d = new Ac3Depacketizer();
    expect(asPackets([frag[0]!, frag[2]!], 0, 1).flatMap((p) => d.push(p)).filter((f) => !f.damaged)).toEqual([]);
    expect(new Ac3Depacketizer().push({ payload: Uint8Array.of(0, 1, 0x0b, 0x77, 0, 0, 0x10, 0x40, 0x40), marker: true, timestamp: 0, sequenceNumber: 0 })[0]?.damaged).toBe(true);
  });
});

describe('properties', () => {
  const frameSets = {
    LATM: fc.array(fc.uint8Array({ minLength: 1, maxLength: 1500 }), { minLength: 1, maxLength: 4 }),
    MPA: fc.array(fc.tuple(fc.boolean(), fc.nat(255)).map(([a, s]) => (a ? mp3a(s) : mp3b(s))), { minLength: 1, maxLength: 4 }),
    AC3: fc.array(fc.nat(255).map(ac3), { minLength: 1, maxLength: 4 }),
  };
  const config = parseStreamMuxConfig(hex('400024103fc0'));
  const make = {
    LATM: (): Depacketizer => new LatmDepacketizer(config, false),
    MPA: (): Depacketizer => new MpaDepacketizer(),
    AC3: (): Depacketizer => new Ac3Depacketizer(),
  };
  const pack = { LATM: packetizeLatm, MPA: packetizeMpa, AC3: packetizeAc3 };
  for (const codec of ['LATM', 'MPA', 'AC3'] as const) {
    it(`${codec}: one frame per call round-trips at any MTU; hostile payloads never throw`, () => {
      fuzz(`${codec} round trip`, 71, 200, fc.property(frameSets[codec], fc.integer({ min: 40, max: 1500 }), (frames, mtu) => {
        const d = make[codec]();
        let seq = 0;
        const got = frames.flatMap((f, i) => {
          const payloads = pack[codec]([f], mtu);
          seq += payloads.length;
          return roundTrip(d, payloads, i * 4000, seq - payloads.length);
        });
        expect(got).toEqual(frames);
      }));
      fuzz(`${codec} hostile`, 72, 300, fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 600 }), fc.boolean(), fc.nat(3)), { maxLength: 20 }), (pkts) => {
        const d = make[codec]();
        pkts.forEach(([payload, marker, ts], i) => {
          for (const f of d.push({ payload, marker, timestamp: ts * 1000, sequenceNumber: i })) expect(f.damaged || f.data[0]!.length >= 0).toBe(true);
        });
      }));
    });
  }
});
