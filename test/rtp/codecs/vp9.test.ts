// VP9 over RTP (RFC 9628): payload descriptor lengths, the uncompressed header, key-frame hints, frame assembly round trips, malformed input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isVp9KeyFrame, packetizeVp9, vp9DescriptorSize, vp9FrameInfo, vp9KeyFrameHint, Vp9Depacketizer } from '../../../server/rtp/codecs/vp9.js';
import type { DepacketizedFrame } from '../../../server/rtp/codecs/frame.js';
import { fuzz } from '../../helpers/fuzz.js';
import { asPackets, patterned } from '../prng.js';

// The key frame of media/sample-vp9.webm (libvpx-vp9, profile 0, 320x180, 4:2:0 8-bit), then padding.
const KEY_HEAD = [0x82, 0x49, 0x83, 0x42, 0x00, 0x13, 0xf0, 0x0b, 0x36, 0x00, 0x38, 0x24, 0x1c, 0x18, 0x42, 0x00, 0x00, 0x50, 0x61, 0xf6];
const KEY = Uint8Array.of(...KEY_HEAD, ...patterned([0], 2500, 9));
// An inter frame of the same clip (frame_type 1).
const INTER = Uint8Array.of(...[0x86, 0x00, 0x40, 0x92, 0xf0, 0x51, 0x25], ...patterned([0], 1800, 4));

function depacketize(pkts: ReturnType<typeof asPackets>): DepacketizedFrame[] {
  const d = new Vp9Depacketizer();
  return pkts.flatMap((p) => d.push(p));
}

describe('vp9DescriptorSize (RFC 9628 §4.2)', () => {
  const cases: [string, number[], number][] = [
    ['B only: one octet', [0x08, 0x82], 1],
    ['I with 7-bit picture ID', [0x88, 0x05, 0x82], 2],
    ['I with 15-bit picture ID (M)', [0x88, 0x80, 0x01, 0x82], 3],
    ['L, non-flexible: layer indices and TL0PICIDX', [0x28, 0x00, 0x07, 0x82], 3],
    ['L, flexible: layer indices only', [0x38, 0x00, 0x82], 2],
    ['F and P: reference indices while N is set', [0x58, 0x03, 0x04, 0x82], 3],
    ['V: scalability structure with one size (Y)', [0x0a, 0x10, 0x01, 0x40, 0x00, 0xb4, 0x82], 6],
    ['V: structure with a picture group of 2 references', [0x0a, 0x08, 0x01, 0x08, 0x01, 0x02, 0x82], 6],
    ['empty', [], -1],
    ['I set, picture ID missing', [0x88], -1],
    ['F and P, reference list torn', [0x58, 0x03], -1],
    ['V, structure torn', [0x0a, 0x10, 0x01], -1],
  ];
  for (const [name, bytes, size] of cases) it(name, () => expect(vp9DescriptorSize(Uint8Array.from(bytes))).toBe(size));
});

describe('VP9 uncompressed header (VP9 spec §6.2)', () => {
  it('reads 320x180, profile 0, 8-bit 4:2:0 from the sample key frame', () => {
    expect(vp9FrameInfo(KEY)).toMatchObject({ width: 320, height: 180, profile: 0, bitDepth: 8, chromaSubsampling: 0 });
    expect(isVp9KeyFrame(KEY)).toBe(true);
  });

  it('an inter frame, a shown existing frame, a bad sync code or a torn header is no key frame', () => {
    expect(vp9FrameInfo(INTER)).toBeUndefined();
    expect(isVp9KeyFrame(Uint8Array.of(0x88))).toBe(false); // show_existing_frame
    expect(isVp9KeyFrame(Uint8Array.of(0x82, 0x49, 0x83, 0x43, 0, 0, 0, 0, 0))).toBe(false);
    expect(isVp9KeyFrame(KEY.subarray(0, 6))).toBe(false);
    expect(isVp9KeyFrame(new Uint8Array(0))).toBe(false);
    expect(isVp9KeyFrame(undefined)).toBe(false);
  });

  const hints: [string, Uint8Array, string][] = [
    ['B, P clear, key frame header: key', Uint8Array.of(0x0c, ...KEY_HEAD), 'key'],
    ['B, P clear as ffmpeg sends every frame, inter header: delta', Uint8Array.of(0x0c, 0x86, 0x00, 0x40, 0x92), 'delta'],
    ['B with P: delta', Uint8Array.of(0x48, ...KEY_HEAD), 'delta'],
    ['I and L at spatial layer 0: key', Uint8Array.of(0xa8, 0x05, 0x00, 0x00, ...KEY_HEAD), 'key'],
    ['spatial layer 1: unknown', Uint8Array.of(0xa8, 0x05, 0x02, 0x00, ...KEY_HEAD), 'unknown'],
    ['not a frame start: unknown', Uint8Array.of(0x04, ...KEY_HEAD), 'unknown'],
    ['descriptor only: unknown', Uint8Array.of(0x08), 'unknown'],
    ['empty: unknown', new Uint8Array(0), 'unknown'],
  ];
  for (const [name, p, hint] of hints) it(`hint: ${name}`, () => expect(vp9KeyFrameHint(p)).toBe(hint));
});

describe('packetizeVp9 / Vp9Depacketizer', () => {
  it('splits a frame into payloads <= MTU with B on the first, E on the last, P on inter frames; reassembles it', () => {
    const key = packetizeVp9([KEY], 700);
    expect(key.length).toBe(Math.ceil(KEY.length / 699));
    expect(key[0]![0]).toBe(0x08);
    expect(key[key.length - 1]![0]).toBe(0x04);
    for (const p of key) expect(p.length).toBeLessThanOrEqual(700);
    expect(packetizeVp9([INTER], 4000).map((p) => p[0])).toEqual([0x4c]);
    const frames = depacketize(asPackets(key, 1234, 65535));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.damaged).toBeUndefined();
    expect(frames[0]!.data).toEqual([KEY]);
    expect(vp9KeyFrameHint(key[0]!)).toBe('key');
  });

  it('reassembles frames whose descriptors carry picture IDs and a scalability structure', () => {
    const a = Uint8Array.of(0x8a, 0x80, 0x01, 0x10, 0x01, 0x3f, 0x00, 0xb3, ...KEY.subarray(0, 10));
    const b = Uint8Array.of(0x84, 0x80, 0x01, ...KEY.subarray(10));
    const frames = depacketize(asPackets([a, b], 0, 5));
    expect(frames[0]!.data).toEqual([KEY]);
    expect(frames[0]!.damaged).toBeUndefined();
  });

  it('loss: a missing packet damages its frame only; a missing start damages it too', () => {
    const a = asPackets(packetizeVp9([KEY], 700), 0, 10);
    const b = asPackets(packetizeVp9([INTER], 700), 6000, 10 + a.length);
    const frames = depacketize([...a.slice(0, 1), ...a.slice(2), ...b.slice(1), ...asPackets(packetizeVp9([INTER], 700), 12000, 10 + a.length + b.length)]);
    expect(frames.map((f) => !!f.damaged)).toEqual([true, true, false]);
  });

  it('malformed descriptors never throw and damage the frame', () => {
    const d = new Vp9Depacketizer();
    const out = [Uint8Array.of(0x88), Uint8Array.of(0x58, 0x03), new Uint8Array(0)].flatMap((payload, i) =>
      d.push({ payload, marker: i === 2, timestamp: 0, sequenceNumber: i }),
    );
    expect(out).toHaveLength(1);
    expect(out[0]!.damaged).toBe(true);
  });
});

describe('VP9 properties', () => {
  it('any frame at any MTU round-trips after arbitrary junk, and descriptor parsing never throws', () => {
    fuzz(
      'vp9 round trip',
      9628,
      60,
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 5000 }), fc.integer({ min: 2, max: 1500 }), fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 }), (frame, mtu, junk) => {
        const d = new Vp9Depacketizer();
        junk.forEach((payload, i) => {
          vp9KeyFrameHint(payload);
          d.push({ payload, marker: i % 3 === 0, timestamp: i * 10, sequenceNumber: i });
        });
        const frames = asPackets(packetizeVp9([frame], mtu), 99999, junk.length).flatMap((p) => d.push(p));
        const last = frames[frames.length - 1]!;
        expect(last.damaged).toBeUndefined();
        expect(last.data).toEqual([frame]);
      }),
    );
  });
});
