// VP8 over RTP (RFC 7741): payload descriptor lengths, key-frame hints, frame assembly round trips, malformed input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isVp8KeyFrame, packetizeVp8, vp8DescriptorSize, vp8FrameInfo, vp8KeyFrameHint, Vp8Depacketizer } from '../../../server/rtp/codecs/vp8.js';
import { MAX_FRAME_SIZE, type DepacketizedFrame } from '../../../server/rtp/codecs/frame.js';
import { fuzz } from '../../helpers/fuzz.js';
import { asPackets, patterned } from '../prng.js';

// A key frame of media/sample-vp8.webm (libvpx, 320x180): frame tag, start code 9d 01 2a, width/height.
const KEY = Uint8Array.of(...[0xf0, 0x0e, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xb4, 0x00, 0x00, 0x47, 0x08, 0x85], ...patterned([0], 3000, 3));
// An inter frame (frame tag bit 0 set) of the same clip.
const INTER = Uint8Array.of(...[0x51, 0x42, 0x00, 0x08, 0x10, 0xe8], ...patterned([0], 900, 5));

function depacketize(pkts: ReturnType<typeof asPackets>): DepacketizedFrame[] {
  const d = new Vp8Depacketizer();
  return pkts.flatMap((p) => d.push(p));
}

describe('vp8DescriptorSize (RFC 7741 §4.2)', () => {
  const cases: [string, number[], number][] = [
    ['X clear: one octet', [0x10, 0x9d], 1],
    ['X, I with 7-bit PictureID', [0x90, 0x80, 0x05, 0xaa], 3],
    ['X, I with 15-bit PictureID (M)', [0x90, 0x80, 0x85, 0x01, 0xaa], 4],
    ['X, I, L, T/K', [0x90, 0xf0, 0x01, 0x02, 0x03, 0xaa], 5],
    ['X with L only', [0x80, 0x40, 0x07], 3],
    ['empty', [], -1],
    ['X but torn extension octet', [0x80], -1],
    ['I set, PictureID missing', [0x90, 0x80], -1],
    ['15-bit PictureID torn', [0x90, 0x80, 0x85], -1],
  ];
  for (const [name, bytes, size] of cases) it(name, () => expect(vp8DescriptorSize(Uint8Array.from(bytes))).toBe(size));
});

describe('VP8 key frames', () => {
  it('reads 320x180 from the key frame header (RFC 6386 §9.1)', () => {
    expect(isVp8KeyFrame(KEY)).toBe(true);
    expect(vp8FrameInfo(KEY)).toEqual({ width: 320, height: 180, profile: 0 });
    expect(isVp8KeyFrame(INTER)).toBe(false);
    expect(vp8FrameInfo(INTER)).toBeUndefined();
    expect(isVp8KeyFrame(KEY.subarray(0, 9))).toBe(false);
    expect(isVp8KeyFrame(undefined)).toBe(false);
  });

  const hints: [string, number[], string][] = [
    ['S, PID 0, P bit clear: key', [0x10, 0xf0, 0x0e], 'key'],
    ['S, PID 0, P bit set: delta', [0x10, 0x51, 0x42], 'delta'],
    ['with extensions: key', [0x90, 0x80, 0x85, 0x01, 0xf0], 'key'],
    ['not a start (S clear): unknown', [0x00, 0xf0], 'unknown'],
    ['S with PID 1: unknown', [0x11, 0xf0], 'unknown'],
    ['descriptor only: unknown', [0x10], 'unknown'],
    ['torn: unknown', [0x90, 0x80], 'unknown'],
  ];
  for (const [name, bytes, hint] of hints) it(`hint: ${name}`, () => expect(vp8KeyFrameHint(Uint8Array.from(bytes))).toBe(hint));

  it('the first packet packetizeVp8 makes says key for a key frame and delta otherwise', () => {
    expect(vp8KeyFrameHint(packetizeVp8([KEY], 1200)[0]!)).toBe('key');
    expect(vp8KeyFrameHint(packetizeVp8([INTER], 1200)[0]!)).toBe('delta');
  });
});

describe('packetizeVp8 / Vp8Depacketizer', () => {
  it('splits a frame into payloads <= MTU, S only on the first, and reassembles it byte-identical', () => {
    const payloads = packetizeVp8([KEY], 500);
    expect(payloads.length).toBe(Math.ceil(KEY.length / 499));
    for (const [i, p] of payloads.entries()) {
      expect(p.length).toBeLessThanOrEqual(500);
      expect(p[0]).toBe(i === 0 ? 0x10 : 0x00);
    }
    const frames = depacketize(asPackets(payloads, 3000, 65530));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.damaged).toBeUndefined();
    expect(frames[0]!.data).toEqual([KEY]);
  });

  it('a lost middle packet marks the frame damaged; the next frame is whole', () => {
    const a = asPackets(packetizeVp8([KEY], 500), 0, 100);
    const b = asPackets(packetizeVp8([INTER], 500), 6000, 100 + a.length);
    const frames = depacketize([...a.slice(0, 2), ...a.slice(3), ...b]);
    expect(frames).toHaveLength(2);
    expect(frames[0]!.damaged).toBe(true);
    expect(frames[1]!.damaged).toBeUndefined();
    expect(frames[1]!.data).toEqual([INTER]);
  });

  it('a lost first packet (no S) marks the frame damaged', () => {
    const a = asPackets(packetizeVp8([KEY], 500), 0, 7);
    const frames = depacketize(a.slice(1));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.damaged).toBe(true);
  });

  it('a lost marker: the timestamp change ends the frame', () => {
    const a = asPackets(packetizeVp8([INTER], 1200), 0, 1).map((p) => ({ ...p, marker: false }));
    const b = asPackets(packetizeVp8([INTER], 1200), 6000, 2);
    const frames = depacketize([...a, ...b]);
    expect(frames.map((f) => f.timestamp)).toEqual([0, 6000]);
    expect(frames[0]!.data).toEqual([INTER]);
  });

  it('malformed payloads (empty, torn descriptor) damage the frame and never throw', () => {
    const d = new Vp8Depacketizer();
    const frames = [
      ...d.push({ payload: new Uint8Array(0), marker: false, timestamp: 0, sequenceNumber: 1 }),
      ...d.push({ payload: Uint8Array.of(0x90, 0x80), marker: true, timestamp: 0, sequenceNumber: 2 }),
    ];
    expect(frames).toHaveLength(1);
    expect(frames[0]!.damaged).toBe(true);
  });

  it('never buffers more than MAX_FRAME_SIZE for a frame that never ends', () => {
    const d = new Vp8Depacketizer();
    const chunk = new Uint8Array(1 << 20);
    chunk[0] = 0x10;
    for (let i = 0; i < 20; i++) d.push({ payload: chunk, marker: false, timestamp: 0, sequenceNumber: i });
    expect(d.bufferedBytes).toBeLessThanOrEqual(MAX_FRAME_SIZE);
  });

  it('an empty frame yields no packets', () => expect(packetizeVp8([new Uint8Array(0)], 1200)).toEqual([]));
});

describe('VP8 properties', () => {
  it('any frame at any MTU round-trips, and arbitrary payload sequences never throw', () => {
    fuzz(
      'vp8 round trip',
      7741,
      60,
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 5000 }), fc.integer({ min: 2, max: 1500 }), fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 }), (frame, mtu, junk) => {
        const d = new Vp8Depacketizer();
        junk.forEach((payload, i) => d.push({ payload, marker: i % 3 === 0, timestamp: i * 10, sequenceNumber: i }));
        const frames = asPackets(packetizeVp8([frame], mtu), 99999, junk.length).flatMap((p) => d.push(p));
        const last = frames[frames.length - 1]!;
        expect(last.damaged).toBeUndefined();
        expect(last.data).toEqual([frame]);
      }),
    );
  });
});
