// AV1 over RTP (AOMedia RTP payload format §4) and AV1 OBUs: LEB128, the sequence header of the sample clip, key frames, aggregation and fragmentation round trips, loss, malformed input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Av1Depacketizer, av1Elements, av1KeyFrameHint, packetizeAv1 } from '../../../server/rtp/codecs/av1.js';
import { findSequenceHeader, isAv1KeyFrame, leb128, parseSequenceHeader, readLeb128, splitObus } from '../../../server/rtp/codecs/av1-obu.js';
import { MAX_FRAME_SIZE, type DepacketizedFrame } from '../../../server/rtp/codecs/frame.js';
import { fuzz } from '../../helpers/fuzz.js';
import { asPackets } from '../prng.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!.map((x) => parseInt(x, 16)));
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

// The first temporal unit of media/sample-av1.mp4 (libaom, 320x180, `ffmpeg -c copy -f obu`):
// temporal delimiter, sequence header (11 bytes), a 66-byte key frame OBU.
const TD = hex('1200');
const SEQ = hex('0a0b000000043cfeccdaf90040');
const KEY_FRAME = hex(
  '3242100080400000800000c32dea91b08edd5f58c6a6be63824f9d2db0344c8b10e4a4f7ef0647fa4d395e7fb1b913e300e7aff09fbde3aafea006b13b9b610b8bdb1a80',
);
const KEY_TU = cat(TD, SEQ, KEY_FRAME);
// An inter frame OBU (frame_type 1: first payload byte 0x30 = show_existing 0, frame_type 01), padded payload.
const INTER = cat(Uint8Array.of(0x32), leb128(1500), Uint8Array.of(0x30, ...new Uint8Array(1499).map((_, i) => (i * 7 + 3) & 0xff)));

function depacketize(pkts: ReturnType<typeof asPackets>): DepacketizedFrame[] {
  const d = new Av1Depacketizer();
  return pkts.flatMap((p) => d.push(p));
}

describe('AV1 OBUs (AV1 spec §4.10.5, §5.3, §5.5)', () => {
  const lebs: [number[], number | undefined, number][] = [
    [[0x00], 0, 1],
    [[0x7f], 127, 1],
    [[0x80, 0x01], 128, 2],
    [[0xc4, 0x14], 2628, 2],
    [[0xff, 0xff, 0xff, 0xff, 0x0f], 0xffffffff, 5],
    [[0x80, 0x80, 0x80, 0x80, 0x10], undefined, 0], // over 2^32
    [[0x80], undefined, 0], // torn
    [[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], undefined, 0], // over 8 bytes
  ];
  for (const [bytes, value, size] of lebs) {
    it(`leb128 ${Buffer.from(bytes).toString('hex')} -> ${value}`, () => {
      const r = readLeb128(Uint8Array.from(bytes), 0);
      expect(r).toEqual(value === undefined ? undefined : { value, size });
      if (value !== undefined) expect(leb128(value)).toEqual(Uint8Array.from(bytes));
    });
  }

  it('splits the sample temporal unit into TD, sequence header, frame', () => {
    expect(splitObus(KEY_TU)?.map((o) => [o.type, o.payload.length])).toEqual([
      [2, 0],
      [1, 11],
      [6, 66],
    ]);
    expect(splitObus(KEY_TU.subarray(0, 20))).toBeUndefined(); // a size past the end
    expect(splitObus(Uint8Array.of(0x80))).toBeUndefined(); // forbidden bit
  });

  it('reads the sample sequence header: profile 0 (Main), 320x180, 8-bit 4:2:0', () => {
    const info = parseSequenceHeader(SEQ.subarray(2));
    expect(info).toMatchObject({ profile: 0, tier: 0, width: 320, height: 180, bitDepth: 8, monochrome: false, subsamplingX: 1, subsamplingY: 1 });
    expect(parseSequenceHeader(SEQ.subarray(2, 6))).toBeUndefined();
    expect(findSequenceHeader([KEY_TU])?.obu).toEqual(SEQ);
  });

  it('a key frame is a temporal unit with a sequence header and a KEY_FRAME frame header', () => {
    expect(isAv1KeyFrame([KEY_TU])).toBe(true);
    expect(isAv1KeyFrame([SEQ, KEY_FRAME])).toBe(true);
    expect(isAv1KeyFrame([KEY_FRAME])).toBe(false);
    expect(isAv1KeyFrame([SEQ, INTER])).toBe(false);
    expect(isAv1KeyFrame([Uint8Array.of(0xff, 0xff)])).toBe(false);
  });
});

describe('av1Elements and av1KeyFrameHint (§4.4)', () => {
  it('W=0: every element length-prefixed; W=2: the last one runs to the end; torn lengths are refused', () => {
    expect(av1Elements(Uint8Array.of(0x00, 0x02, 0x30, 0x01, 0x01, 0x18))).toEqual([Uint8Array.of(0x30, 0x01), Uint8Array.of(0x18)]);
    expect(av1Elements(Uint8Array.of(0x20, 0x01, 0x08, 0x30, 0x01, 0x02))).toEqual([Uint8Array.of(0x08), Uint8Array.of(0x30, 0x01, 0x02)]);
    expect(av1Elements(Uint8Array.of(0x00, 0x05, 0x30))).toBeUndefined();
    expect(av1Elements(new Uint8Array(0))).toBeUndefined();
  });

  const hints: [string, number[], string][] = [
    ['N bit: key', [0x08, 0x01, 0x30], 'key'],
    ['first element a sequence header: key', [0x10, 0x08, 0x00, 0x00], 'key'],
    ['first element a frame: delta', [0x10, 0x30, 0x10], 'delta'],
    ['W=0, first element a sequence header: key', [0x00, 0x02, 0x08, 0x00], 'key'],
    ['continuation (Z): unknown', [0x90, 0x08, 0x00], 'unknown'],
    ['too short: unknown', [0x10], 'unknown'],
    ['torn length: unknown', [0x00, 0x80], 'unknown'],
  ];
  for (const [name, bytes, hint] of hints) it(`hint: ${name}`, () => expect(av1KeyFrameHint(Uint8Array.from(bytes))).toBe(hint));
});

describe('packetizeAv1 / Av1Depacketizer', () => {
  it('drops the temporal delimiter, sets N on the key unit, sends OBUs without size fields, and reassembles sized OBUs', () => {
    const payloads = packetizeAv1([KEY_TU], 1200);
    expect(payloads).toHaveLength(1);
    const p = payloads[0]!;
    expect(p[0]).toBe(0x08); // Z=0 Y=0 W=0 N=1
    const elems = av1Elements(p)!;
    expect(elems.map((e) => [(e[0]! >>> 3) & 15, e[0]! & 2])).toEqual([
      [1, 0],
      [6, 0],
    ]);
    expect(av1KeyFrameHint(p)).toBe('key');
    const frames = depacketize(asPackets(payloads, 9000, 1));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.damaged).toBeUndefined();
    expect(cat(...frames[0]!.data)).toEqual(cat(SEQ, KEY_FRAME));
    expect(isAv1KeyFrame(frames[0]!.data)).toBe(true);
  });

  it('fragments a large OBU across packets <= MTU with Z/Y and joins it back', () => {
    const payloads = packetizeAv1([TD, INTER], 200);
    expect(payloads.length).toBeGreaterThan(7);
    for (const [i, p] of payloads.entries()) {
      expect(p.length).toBeLessThanOrEqual(200);
      expect(!!(p[0]! & 0x80)).toBe(i > 0); // Z: continues the previous packet's OBU
      expect(!!(p[0]! & 0x40)).toBe(i < payloads.length - 1); // Y: continues in the next
      expect(p[0]! & 0x08).toBe(0);
    }
    expect(av1KeyFrameHint(payloads[0]!)).toBe('delta');
    const frames = depacketize(asPackets(payloads, 0, 65530));
    expect(frames[0]!.data).toEqual([INTER]);
    expect(frames[0]!.damaged).toBeUndefined();
  });

  it('a lost fragment damages its unit; a continuation without its start too; the next unit is whole', () => {
    const a = asPackets(packetizeAv1([INTER], 300), 0, 100);
    const b = asPackets(packetizeAv1([KEY_TU], 300), 3000, 100 + a.length);
    const lost = depacketize([...a.slice(0, 2), ...a.slice(3), ...b]);
    expect(lost.map((f) => !!f.damaged)).toEqual([true, false]);
    expect(cat(...lost[1]!.data)).toEqual(cat(SEQ, KEY_FRAME));
    const headless = depacketize(a.slice(1));
    expect(headless[0]!.damaged).toBe(true);
  });

  it('a unit that ends inside a fragment (marker on a Y packet) is damaged', () => {
    const a = asPackets(packetizeAv1([INTER], 300), 0, 1);
    const frames = depacketize([...a.slice(0, 2).map((p, i) => ({ ...p, marker: i === 1 }))]);
    expect(frames[0]!.damaged).toBe(true);
  });

  it('malformed payloads never throw and damage the unit', () => {
    const d = new Av1Depacketizer();
    const bad = [new Uint8Array(0), Uint8Array.of(0x00, 0x09, 0x30), Uint8Array.of(0x10, 0x80, 0x00), Uint8Array.of(0x10, 0x32, 0x7f)];
    const out = bad.flatMap((payload, i) => d.push({ payload, marker: i === bad.length - 1, timestamp: 0, sequenceNumber: i }));
    expect(out).toHaveLength(1);
    expect(out[0]!.damaged).toBe(true);
  });

  it('never buffers more than MAX_FRAME_SIZE for a unit that never ends', () => {
    const d = new Av1Depacketizer();
    const p = new Uint8Array(1 << 20);
    p[0] = 0x50; // Y, W=1: one element that continues
    p[1] = 0x30;
    const cont = p.slice();
    cont[0] = 0xd0; // Z and Y
    for (let i = 0; i < 20; i++) d.push({ payload: i === 0 ? p : cont, marker: false, timestamp: 0, sequenceNumber: i });
    expect(d.bufferedBytes).toBeLessThanOrEqual(MAX_FRAME_SIZE);
  });
});

describe('AV1 properties', () => {
  const obu = fc
    .tuple(fc.constantFrom(1, 3, 4, 5, 6), fc.uint8Array({ maxLength: 3000 }))
    .map(([t, body]) => cat(Uint8Array.of((t << 3) | 0x02), leb128(body.length), body));
  it('any temporal unit at any MTU round-trips after arbitrary junk, and hints never throw', () => {
    fuzz(
      'av1 round trip',
      7741_1,
      60,
      fc.property(fc.array(obu, { minLength: 1, maxLength: 6 }), fc.integer({ min: 4, max: 1500 }), fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 }), (obus, mtu, junk) => {
        const d = new Av1Depacketizer();
        junk.forEach((payload, i) => {
          av1KeyFrameHint(payload);
          d.push({ payload, marker: i % 3 === 0, timestamp: i * 10, sequenceNumber: i });
        });
        const payloads = packetizeAv1(obus, mtu);
        for (const p of payloads) expect(p.length).toBeLessThanOrEqual(mtu);
        const frames = asPackets(payloads, 99999, junk.length).flatMap((p) => d.push(p));
        const last = frames[frames.length - 1]!;
        expect(last.damaged).toBeUndefined();
        expect(cat(...last.data)).toEqual(cat(...obus));
      }),
    );
  });
});
