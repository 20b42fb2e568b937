// A frame that never ends (no marker, one timestamp) is dropped once over MAX_FRAME_SIZE instead of growing until memory runs out.
import { describe, expect, it } from 'vitest';
import { MAX_FRAME_SIZE } from '../../../server/rtp/codecs/frame.js';
import { H264Depacketizer } from '../../../server/rtp/codecs/h264.js';
import { H265Depacketizer } from '../../../server/rtp/codecs/h265.js';

const CHUNK = 60_000;

/** 40 MB in `CHUNK`-byte payloads, all with one timestamp and no marker, then one packet with the marker. */
function endless(d: H264Depacketizer | H265Depacketizer, payload: (i: number) => Uint8Array): { maxBuffered: number; frames: ReturnType<H264Depacketizer['push']> } {
  let maxBuffered = 0;
  const frames = [];
  const n = Math.ceil((40 * 1024 * 1024) / CHUNK);
  for (let i = 0; i <= n; i++) {
    frames.push(...d.push({ payload: payload(i), marker: i === n, timestamp: 1000, sequenceNumber: i & 0xffff }));
    maxBuffered = Math.max(maxBuffered, d.bufferedBytes);
  }
  return { maxBuffered, frames };
}

describe('a frame that never ends', () => {
  it('regression: 40 MB of H.264 single NAL units with one timestamp and no marker stay under MAX_FRAME_SIZE, and the frame is damaged', () => {
    // Before the bound, the access-unit view kept every one of them (an HLS reader made a live
    // path's publisher able to fill the server's memory).
    const nal = new Uint8Array(CHUNK).fill(7);
    nal[0] = 0x41;
    const { maxBuffered, frames } = endless(new H264Depacketizer(), () => nal);
    expect(maxBuffered).toBeLessThanOrEqual(MAX_FRAME_SIZE);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.damaged).toBe(true);
  });

  it('FU-A fragments of many NAL units, and H.265 FUs, are bounded the same way', () => {
    const fu = (start: boolean, end: boolean): Uint8Array => {
      const p = new Uint8Array(CHUNK).fill(9);
      p[0] = 0x7c;
      p[1] = (start ? 0x80 : 0) | (end ? 0x40 : 0) | 1;
      return p;
    };
    // Each NAL unit is 10 fragments (600 kB, under MAX_NAL_SIZE); the frame is 70 of them.
    const h264 = endless(new H264Depacketizer(), (i) => fu(i % 10 === 0, i % 10 === 9));
    expect(h264.maxBuffered).toBeLessThanOrEqual(MAX_FRAME_SIZE);
    expect(h264.frames[0]!.damaged).toBe(true);
    const h265fu = (i: number): Uint8Array => {
      const p = new Uint8Array(CHUNK).fill(9);
      p[0] = 49 << 1;
      p[1] = 1;
      p[2] = (i % 10 === 0 ? 0x80 : 0) | (i % 10 === 9 ? 0x40 : 0) | 1;
      return p;
    };
    const h265 = endless(new H265Depacketizer(), h265fu);
    expect(h265.maxBuffered).toBeLessThanOrEqual(MAX_FRAME_SIZE);
    expect(h265.frames[0]!.damaged).toBe(true);
  });

  it('a frame just under the bound still comes out whole', () => {
    const d = new H264Depacketizer();
    const nal = new Uint8Array(CHUNK).fill(7);
    nal[0] = 0x41;
    const n = Math.floor(MAX_FRAME_SIZE / CHUNK);
    const frames = [];
    for (let i = 0; i < n; i++) frames.push(...d.push({ payload: nal, marker: i === n - 1, timestamp: 5, sequenceNumber: i }));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.damaged).toBeUndefined();
    expect(frames[0]!.data).toHaveLength(n);
  });
});
