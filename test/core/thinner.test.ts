// One reader's thinning on synthetic packets: which frames pass at each level, continuous seq numbers for what does,
// the shared buffer untouched for a reader never thinned, SR counts less what was withheld, key frame to step up.
import { describe, expect, it } from 'vitest';
import type { OutPacket } from '../../server/core/out-packet.js';
import { Thinner, rtpPayloadLength } from '../../server/core/thinner.js';
import { writeRtpHeader } from '../../server/rtp/packet.js';
import { buildSenderReport, parseRtcpCompound } from '../../server/rtp/rtcp.js';

type Kind = 'I' | 'P' | 'b';
/** A GOP as frames (I key, P reference, b droppable), each `per` packets, seq from 65530 (wraps). */
function stream(frames: Kind[], per = 2, firstSeq = 65530): OutPacket[] {
  const out: OutPacket[] = [];
  let seq = firstSeq;
  frames.forEach((k, f) => {
    for (let i = 0; i < per; i++) {
      const data = new Uint8Array(12 + 100);
      writeRtpHeader(data, 0, { payloadType: 96, marker: i === per - 1, sequenceNumber: seq, timestamp: 3000 * f, ssrc: 7 });
      out.push({ trackId: 0, data, seq, timestamp: 3000 * f, ssrc: 7, keyStart: k === 'I' && i === 0, ...(k === 'b' ? { droppable: true } : {}) });
      seq = (seq + 1) & 0xffff;
    }
  });
  return out;
}
const seqOf = (d: Uint8Array): number => (d[2]! << 8) | d[3]!;
const tsOf = (d: Uint8Array): number => new DataView(d.buffer, d.byteOffset).getUint32(4);
const GOP: Kind[] = ['I', 'b', 'b', 'P', 'b', 'b', 'P', 'b', 'b', 'P'];

describe('Thinner', () => {
  it('level 0: every packet, the very same buffer (no copy)', () => {
    const t = new Thinner(0);
    for (const p of stream(GOP)) expect(t.pass(p)).toBe(p.data);
  });

  it('level 1: no droppable frame; the rest renumbered without gaps, timestamps unchanged', () => {
    const t = new Thinner(0);
    t.target = 1;
    const sent = stream([...GOP, ...GOP]).flatMap((p) => t.pass(p) ?? []);
    expect(sent.length).toBe(2 * 4 * 2);
    for (let i = 1; i < sent.length; i++) expect(seqOf(sent[i]!)).toBe((seqOf(sent[i - 1]!) + 1) & 0xffff);
    expect(new Set(sent.map(tsOf))).toEqual(new Set([0, 9000, 18000, 27000, 30000, 39000, 48000, 57000]));
    expect(t.droppedFrames).toBe(12);
    expect(t.droppedPackets).toBe(24);
    expect(t.droppedOctets).toBe(24 * 100);
  });

  it('level 2: key frames only; stepping back up waits for the next key frame', () => {
    const t = new Thinner(0);
    t.target = 2;
    const ps = stream([...GOP, ...GOP]);
    const sent: Uint8Array[] = [];
    ps.forEach((p, i) => {
      if (i === 8) t.target = 0; // mid-GOP: the P frames after it predict from frames never sent
      const d = t.pass(p);
      if (d) sent.push(d);
    });
    // First GOP: only its I frame; second GOP: all of it.
    expect(sent.map(tsOf)).toEqual([0, 0, ...GOP.flatMap((_, f) => [3000 * (f + 10), 3000 * (f + 10)])]);
    for (let i = 1; i < sent.length; i++) expect(seqOf(sent[i]!)).toBe((seqOf(sent[i - 1]!) + 1) & 0xffff);
    expect(t.keyFrames).toBe(2);
    expect(t.idle).toBe(false); // its seq numbers are its own from now on
  });

  it('a change asked mid-frame applies at the next frame: no frame is cut', () => {
    const t = new Thinner(0);
    const ps = stream(['I', 'b', 'b', 'P'], 3);
    t.resumeAfter(ps[3]); // the stream's last packet was the b frame's first
    t.target = 1;
    const sent = ps.slice(4).flatMap((p) => t.pass(p) ?? []);
    // The rest of that b frame (2 packets) goes; the next b is dropped; P goes.
    expect(sent.map(tsOf)).toEqual([3000, 3000, 9000, 9000, 9000]);
  });

  it('SR packet and octet counts leave out what was withheld; other RTCP is untouched', () => {
    const t = new Thinner(0);
    t.target = 1;
    for (const p of stream(GOP)) t.pass(p);
    const sr = buildSenderReport({ ssrc: 7, ntpSeconds: 1, ntpFraction: 2, rtpTimestamp: 3, packetCount: 1000, octetCount: 100_000 });
    const got = parseRtcpCompound(t.senderReport(sr))[0]!;
    expect(got.type === 'sr' && [got.packetCount, got.octetCount]).toEqual([1000 - 12, 100_000 - 1200]);
    const bye = new Uint8Array([0x81, 203, 0, 1, 0, 0, 0, 7]);
    expect(t.senderReport(bye)).toBe(bye);
  });

  it('payload length skips CSRCs, the extension and padding; a torn header is 0', () => {
    const d = new Uint8Array(12 + 4 + 8 + 20 + 4);
    d[0] = 0x80 | 0x20 | 0x10 | 1; // padding, extension, one CSRC
    d[16 + 3] = 1; // extension of one word
    d[d.length - 1] = 4;
    expect(rtpPayloadLength(d)).toBe(20);
    expect(rtpPayloadLength(new Uint8Array(5))).toBe(0);
  });
});
