// Moving a live RTP reader between streams (a path and its renditions) at a key frame: the reader sees one
// continuous stream (its SSRC, payload types, seq and clock), the new parameter sets in-band, rewritten SRs.
import { describe, expect, it } from 'vitest';
import type { Track } from '../../server/media/track.js';
import type { OutPacket } from '../../server/core/out-packet.js';
import { ReaderSwitch } from '../../server/core/reader-switch.js';
import { Stream, type StreamReader } from '../../server/core/stream.js';

const SPS_A = Uint8Array.of(0x67, 0x64, 0x00, 0x1e, 0xaa);
const SPS_B = Uint8Array.of(0x67, 0x64, 0x00, 0x1f, 0xbb);
const PPS = Uint8Array.of(0x68, 0xee);

function tracks(ptV: number, ptA: number, sps: Uint8Array): Track[] {
  return [
    { id: 0, kind: 'video', codec: 'H264', clockRate: 90000, payloadType: ptV, h264: { sps: [sps], pps: [PPS] } },
    { id: 1, kind: 'audio', codec: 'AAC', clockRate: 48000, payloadType: ptA, aac: { asc: Uint8Array.of(0x11, 0x90) } },
  ];
}

function pkt(trackId: number, seq: number, ts: number, ssrc: number, pt: number, key = false): OutPacket {
  const data = new Uint8Array(16);
  const v = new DataView(data.buffer);
  data[0] = 0x80;
  data[1] = 0x80 | pt; // marker set: one packet per frame here
  v.setUint16(2, seq);
  v.setUint32(4, ts);
  v.setUint32(8, ssrc);
  data[12] = trackId === 0 ? (key ? 0x65 : 0x41) : 0x21;
  return { trackId, data, seq, timestamp: ts, ssrc, keyStart: trackId === 1 || key };
}

function sr(ssrc: number, rtpTs: number): Uint8Array {
  const d = new Uint8Array(28);
  const v = new DataView(d.buffer);
  d[0] = 0x80;
  d[1] = 200;
  v.setUint16(2, 6);
  v.setUint32(4, ssrc);
  v.setUint32(8, 0xe0000000);
  v.setUint32(16, rtpTs);
  return d;
}

const header = (p: OutPacket) => {
  const v = new DataView(p.data.buffer, p.data.byteOffset);
  return { track: p.trackId, pt: p.data[1]! & 0x7f, seq: v.getUint16(2), ts: v.getUint32(4), ssrc: v.getUint32(8), nal: p.data[12]! };
};

function rig() {
  let t = 1000;
  const a = new Stream('cams/door', tracks(96, 97, SPS_A), { gopCacheBytes: 1 << 20 });
  const b = new Stream('cams/door~480p', tracks(100, 101, SPS_B), { gopCacheBytes: 1 << 20 });
  const got: OutPacket[] = [];
  const rtcp: { trackId: number; data: Uint8Array }[] = [];
  const ended: string[] = [];
  const out: StreamReader = { deliver: (p) => got.push(p), deliverRtcp: (trackId, data) => rtcp.push({ trackId, data }), end: (r) => ended.push(r) };
  const sw = new ReaderSwitch(out, a, () => t);
  return { a, b, sw, got, rtcp, ended, tick: (ms: number) => (t += ms) };
}

describe('ReaderSwitch', () => {
  it('passes the first stream through untouched until a switch (the same packet objects)', () => {
    const { a, got } = rig();
    const p = pkt(0, 10, 9000, 0xaaaa, 96, true);
    a.publish(p);
    expect(got[0]).toBe(p);
  });

  it('switches at the next key frame of the new stream with continuous seq, clock, SSRC and payload type', async () => {
    const { a, b, sw, got, tick } = rig();
    a.publish(pkt(0, 100, 90_000, 0xaaaa, 96, true));
    a.publish(pkt(1, 500, 48_000, 0xa0a0, 97));
    const switched = sw.switchTo(b);
    // Until B's key frame: B's packets are dropped, A's still flow.
    b.publish(pkt(0, 7000, 5_000_000, 0xbbbb, 100));
    b.publish(pkt(1, 300, 1_000_000, 0xb0b0, 101));
    tick(33);
    a.publish(pkt(0, 101, 93_000, 0xaaaa, 96));
    expect(got.map((p) => header(p).seq)).toEqual([100, 500, 101]);
    tick(33);
    b.publish(pkt(0, 7001, 5_003_000, 0xbbbb, 100, true));
    expect(await switched).toBe(true);
    expect(sw.stream).toBe(b);
    expect(a.readers.size).toBe(0);
    const [sps, pps, key] = got.slice(3).map(header);
    // 33 ms after A's last video packet is 2970 ticks of 90 kHz, less than one of A's frames (3000): one frame on.
    expect(sps).toEqual({ track: 0, pt: 96, seq: 102, ts: 93_000 + 3000, ssrc: 0xaaaa, nal: 0x67 });
    expect(pps).toEqual({ track: 0, pt: 96, seq: 103, ts: 93_000 + 3000, ssrc: 0xaaaa, nal: 0x68 });
    expect(key).toEqual({ track: 0, pt: 96, seq: 104, ts: 93_000 + 3000, ssrc: 0xaaaa, nal: 0x65 });
    expect(got[3]!.data.slice(12)).toEqual(SPS_B);
    // A's packets no longer reach the reader; B's follow on the same numbering and clock.
    a.publish(pkt(0, 102, 96_000, 0xaaaa, 96));
    tick(33);
    b.publish(pkt(0, 7002, 5_006_000, 0xbbbb, 100));
    expect(header(got.at(-1)!)).toMatchObject({ seq: 105, ts: 93_000 + 3000 + 3000, ssrc: 0xaaaa, pt: 96 });
    // Audio: its first packet continues A's audio by the wall-clock time since A's last one (99 ms = 4752 at 48 kHz).
    b.publish(pkt(1, 301, 1_001_024, 0xb0b0, 101));
    expect(header(got.at(-1)!)).toEqual({ track: 1, pt: 97, seq: 501, ts: 48_000 + 4752, ssrc: 0xa0a0, nal: 0x21 });
    b.publish(pkt(1, 302, 1_002_048, 0xb0b0, 101));
    expect(header(got.at(-1)!)).toMatchObject({ seq: 502, ts: 48_000 + 4752 + 1024 });
    // The packets B's other readers get are not touched.
    expect(b.readers.size).toBe(1);
  });

  it("rewrites the new stream's sender reports onto the reader's SSRC and clock, and ignores the old one's", async () => {
    const { a, b, sw, rtcp, tick } = rig();
    a.publish(pkt(0, 1, 1000, 0xaaaa, 96, true));
    a.publishRtcp(0, sr(0xaaaa, 1000), true);
    expect(rtcp).toHaveLength(1);
    const switched = sw.switchTo(b);
    tick(40);
    b.publish(pkt(0, 50, 700_000, 0xbbbb, 100, true));
    await switched;
    a.publishRtcp(0, sr(0xaaaa, 2000), true);
    b.publishRtcp(0, sr(0xbbbb, 700_000), true);
    expect(rtcp).toHaveLength(2);
    const v = new DataView(rtcp[1]!.data.buffer, rtcp[1]!.data.byteOffset);
    expect(v.getUint32(4)).toBe(0xaaaa);
    expect(v.getUint32(16)).toBe(1000 + 3600);
    // Its NTP time is the first stream's for that RTP time (40 ms after that stream's SR), not the new source's own.
    expect(v.getBigUint64(8)).toBe((0xe0000000n << 32n) + BigInt(Math.round(0.04 * 2 ** 32)));
  });

  it('keeps to the NTP timeline of an SR the reader had before the switch existed', async () => {
    let t = 1000;
    const a = new Stream('cams/door', tracks(96, 97, SPS_A), { gopCacheBytes: 1 << 20 });
    const b = new Stream('cams/door~480p', tracks(100, 101, SPS_B), { gopCacheBytes: 1 << 20 });
    a.publish(pkt(0, 1, 1000, 0xaaaa, 96, true));
    // The reader got this SR straight from the stream, before any switch was made for it.
    a.publishRtcp(0, sr(0xaaaa, 1000), true);
    const rtcp: Uint8Array[] = [];
    const sw = new ReaderSwitch({ deliver: () => undefined, deliverRtcp: (_id, d) => rtcp.push(d), end: () => undefined }, a, () => t);
    a.publish(pkt(0, 2, 1000, 0xaaaa, 96));
    const switched = sw.switchTo(b);
    t += 40;
    b.publish(pkt(0, 50, 700_000, 0xbbbb, 100, true));
    expect(await switched).toBe(true);
    const late = sr(0xbbbb, 700_000);
    new DataView(late.buffer).setUint32(8, 0xf0000000); // the rendition's own clock, far from the main one's
    b.publishRtcp(0, late, true);
    const v = new DataView(rtcp.at(-1)!.buffer, rtcp.at(-1)!.byteOffset);
    expect(v.getBigUint64(8)).toBe((0xe0000000n << 32n) + BigInt(Math.round(0.04 * 2 ** 32)));
  });

  it('moves back to the first stream at its next key frame, still continuous', async () => {
    const { a, b, sw, got, tick } = rig();
    a.publish(pkt(0, 10, 0, 0xaaaa, 96, true));
    const toB = sw.switchTo(b);
    tick(10);
    b.publish(pkt(0, 900, 50_000, 0xbbbb, 100, true));
    await toB;
    const toA = sw.switchTo(a);
    tick(10);
    a.publish(pkt(0, 30, 270_000, 0xaaaa, 96)); // not a key frame: B still plays
    b.publish(pkt(0, 901, 53_000, 0xbbbb, 100));
    tick(10);
    a.publish(pkt(0, 31, 273_000, 0xaaaa, 96, true));
    expect(await toA).toBe(true);
    expect(b.readers.size).toBe(0);
    const seqs = got.map((p) => header(p).seq);
    expect(seqs).toEqual([10, 11, 12, 13, 14, 15, 16, 17]);
    const ts = got.map((p) => header(p).ts);
    for (let i = 1; i < ts.length; i++) expect(ts[i]).toBeGreaterThanOrEqual(ts[i - 1]!);
    expect(got.every((p) => header(p).ssrc === 0xaaaa)).toBe(true);
  });

  it('with B-frames, the new stream starts after the furthest-ahead frame sent, not after the last one sent', async () => {
    const { a, b, sw, got, tick } = rig();
    // Decode order I P B B: the P frame (shown 4th) is sent before the two B frames.
    for (const [seq, ts, key] of [[1, 0, true], [2, 9000, false], [3, 3000, false], [4, 6000, false]] as const) a.publish(pkt(0, seq, ts, 0xaaaa, 96, key));
    const toB = sw.switchTo(b);
    tick(20);
    b.publish(pkt(0, 77, 123_456, 0xbbbb, 100, true));
    await toB;
    // 20 ms is 1800 ticks, less than a frame (the smallest step seen, 3000): one frame after the P frame.
    expect(header(got.at(-1)!).ts).toBe(9000 + 3000);
  });

  it('a new stream that ends before its key frame leaves the reader where it was; the current one ending ends the reader', async () => {
    const { a, b, sw, ended } = rig();
    const toB = sw.switchTo(b);
    b.end('rendition stopped');
    expect(await toB).toBe(false);
    expect(sw.stream).toBe(a);
    expect(ended).toEqual([]);
    a.end('publisher left');
    expect(ended).toEqual(['publisher left']);
  });

  it('close() lets go of both streams', () => {
    const { a, b, sw } = rig();
    void sw.switchTo(b);
    sw.close();
    expect(a.readers.size + b.readers.size).toBe(0);
  });
});
