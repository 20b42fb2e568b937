// Property, RTP/RTCP parsing and ingest: generated packets (CSRCs, extensions, padding) parse to exactly their fields, broken ones throw a plain Error; compound RTCP round-trips through the builders; a publisher's ingest publishes only packets that parse and loses none but the malformed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Stream } from '../../server/core/stream.js';
import type { OutPacket } from '../../server/core/out-packet.js';
import type { Track } from '../../server/media/track.js';
import { buildRtpPacket, parseRtpPacket } from '../../server/rtp/packet.js';
import { buildBye, buildReceiverReport, buildSdesCname, buildSenderReport, concatRtcp, parseRtcpCompound, type RtcpReportBlock } from '../../server/rtp/rtcp.js';
import { TrackIngest } from '../../server/sources/publish/ingest.js';
import { fuzz } from '../helpers/fuzz.js';
import { rtpPackets } from '../helpers/rtp-arbitraries.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });

/** A packet written field by field (not with our own writer), with what the parser must read from it. */
const rtpPacket = fc.record({
  payloadType: fc.integer({ min: 0, max: 127 }),
  marker: fc.boolean(),
  sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
  timestamp: u32,
  ssrc: u32,
  csrc: fc.array(u32, { maxLength: 15 }),
  extension: fc.option(fc.record({ profile: fc.integer({ min: 0, max: 0xffff }), words: fc.integer({ min: 0, max: 8 }) })),
  payload: fc.uint8Array({ maxLength: 200 }),
  pad: fc.integer({ min: 0, max: 40 }),
}).map((p) => {
  const ext = p.extension ? new Uint8Array(4 + 4 * p.extension.words).map((_, i) => (i * 13) & 0xff) : new Uint8Array(0);
  if (p.extension) {
    ext[0] = p.extension.profile >> 8;
    ext[1] = p.extension.profile & 0xff;
    ext[2] = 0;
    ext[3] = p.extension.words;
  }
  const b = new Uint8Array(12 + 4 * p.csrc.length + ext.length + p.payload.length + p.pad);
  const v = new DataView(b.buffer);
  b[0] = 0x80 | (p.pad ? 0x20 : 0) | (p.extension ? 0x10 : 0) | p.csrc.length;
  b[1] = (p.marker ? 0x80 : 0) | p.payloadType;
  v.setUint16(2, p.sequenceNumber);
  v.setUint32(4, p.timestamp);
  v.setUint32(8, p.ssrc);
  p.csrc.forEach((c, i) => v.setUint32(12 + 4 * i, c));
  b.set(ext, 12 + 4 * p.csrc.length);
  b.set(p.payload, 12 + 4 * p.csrc.length + ext.length);
  if (p.pad) b[b.length - 1] = p.pad;
  return { bytes: b, p };
});

/** Only plain Errors with a message: a TypeError or RangeError means the parser read past what it checked. */
function plainError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect((e as Error).constructor).toBe(Error);
    expect((e as Error).message.length).toBeGreaterThan(0);
  }
}

const block: fc.Arbitrary<RtcpReportBlock> = fc.record({
  ssrc: u32,
  fractionLost: fc.integer({ min: 0, max: 255 }),
  cumulativeLost: fc.integer({ min: -0x800000, max: 0x7fffff }),
  highestSeq: u32,
  jitter: u32,
  lastSr: u32,
  delaySinceLastSr: u32,
});

const rtcpPart = fc.oneof(
  fc.record({ ssrc: u32, ntpSeconds: u32, ntpFraction: u32, rtpTimestamp: u32, packetCount: u32, octetCount: u32, reports: fc.array(block, { maxLength: 4 }) }).map((sr) => ({ bytes: buildSenderReport(sr), want: { type: 'sr', ...sr } })),
  fc.record({ ssrc: u32, reports: fc.array(block, { maxLength: 4 }) }).map((rr) => ({ bytes: buildReceiverReport(rr), want: { type: 'rr', ...rr } })),
  fc.tuple(u32, fc.stringMatching(/^[ -~]{0,40}$/)).map(([ssrc, cname]) => ({ bytes: buildSdesCname(ssrc, cname), want: { type: 'sdes', chunks: [{ ssrc, items: [{ type: 1, text: cname }] }] } })),
  fc.tuple(fc.array(u32, { maxLength: 5 }), fc.option(fc.stringMatching(/^[ -~]{0,30}$/))).map(([ssrcs, reason]) => ({
    bytes: buildBye(ssrcs, reason ?? undefined),
    want: reason === null ? { type: 'bye', ssrcs } : { type: 'bye', ssrcs, reason },
  })),
);

describe('RTP and RTCP under fast-check', () => {
  it('RTP: a generated packet parses to exactly its fields', () => {
    fuzz('RTP parse of generated packets', 41, 8000, fc.property(rtpPacket, ({ bytes, p }) => {
      const got = parseRtpPacket(bytes);
      expect({ pt: got.payloadType, m: got.marker, seq: got.sequenceNumber, ts: got.timestamp, ssrc: got.ssrc, csrc: got.csrc, pad: got.padding }).toEqual({
        pt: p.payloadType, m: p.marker, seq: p.sequenceNumber, ts: p.timestamp, ssrc: p.ssrc, csrc: p.csrc, pad: p.pad > 0,
      });
      expect([...got.payload]).toEqual([...p.payload]);
      expect(got.extension?.profile).toBe(p.extension?.profile);
      expect(got.extension?.data.length).toBe(p.extension ? 4 * p.extension.words : undefined);
    }));
  });

  it('RTP: a generated packet cut short, with a flipped bit or a lying length byte, parses or throws a plain Error', () => {
    const broken = fc.tuple(rtpPacket, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([{ bytes }, cut, at, byte]) => {
      const b = bytes.slice(0, cut % (bytes.length + 1));
      if (b.length > 0) b[at % b.length] = byte;
      return b;
    });
    fuzz('RTP parse of broken packets', 42, 8000, fc.property(broken, (b) => plainError(() => parseRtpPacket(b))));
  });

  it('RTCP: a compound of SR, RR, SDES and BYE parses back to what was built', () => {
    fuzz('RTCP compound round trip', 43, 5000, fc.property(fc.array(rtcpPart, { minLength: 1, maxLength: 4 }), (parts) => {
      const got = parseRtcpCompound(concatRtcp(...parts.map((p) => p.bytes)));
      expect(got).toEqual(parts.map((p) => p.want));
    }));
  });

  it('RTCP: a compound cut, overwritten or with junk appended parses or throws a plain Error', () => {
    const broken = fc.tuple(fc.array(rtcpPart, { minLength: 1, maxLength: 3 }), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 12 })).map(([parts, cut, at, byte, junk]) => {
      const whole = concatRtcp(...parts.map((p) => p.bytes), junk);
      const b = whole.slice(0, cut % (whole.length + 1));
      if (b.length > 0) b[at % b.length] = byte;
      return b;
    });
    fuzz('RTCP parse of broken compounds', 44, 6000, fc.property(broken, (b) => plainError(() => parseRtcpCompound(b))));
  });
});

describe('ingest of a publisher\'s RTP', () => {
  const video: Track = { id: 0, kind: 'video', codec: 'H264', clockRate: 90000, payloadType: 96 };
  const audio: Track = { id: 1, kind: 'audio', codec: 'AAC', clockRate: 48000, payloadType: 97, aac: { asc: Uint8Array.of(0x11, 0x90) } };

  for (const track of [video, audio]) {
    it(`${track.codec}: publishes only packets that parse, key starts only on video, and loses none but the malformed and stale (UDP and TCP)`, () => {
      const input = fc.tuple(rtpPackets(track.codec, track.payloadType, 50), fc.boolean());
      fuzz(`ingest ${track.codec}`, 45 + track.id, 2000, fc.property(input, ([packets, reorder]) => {
        const stream = new Stream('fuzz', [video, audio], { gopCacheBytes: 1 << 20 });
        const out: OutPacket[] = [];
        stream.attach({ deliver: (p) => out.push(p), deliverRtcp: () => undefined, end: () => undefined });
        const ingest = new TrackIngest(track, stream, reorder);
        let now = 0;
        for (const p of packets) ingest.pushRtp(p, (now += 5));
        // A last, complete delta frame on a new timestamp: it releases what the ingest held of the
        // unit before it (packets wait until a slice says whether their unit is a key frame).
        const end = buildRtpPacket({ payloadType: track.payloadType, sequenceNumber: 0, timestamp: 0x12345678, ssrc: 1, marker: true }, Uint8Array.of(0x41, 0));
        ingest.pushRtp(end, now);
        ingest.flush(now + 60_000);
        expect(ingest.received + ingest.malformed).toBe(packets.length + 1);
        for (const p of out) {
          expect(() => parseRtpPacket(p.data)).not.toThrow();
          if (track.kind === 'audio') expect(p.keyStart).toBe(true);
        }
        // TCP delivers every parsed packet; over UDP the reorder buffer drops duplicates and packets too late to place.
        if (!reorder) expect(out).toHaveLength(ingest.received);
        else expect(out.length).toBeLessThanOrEqual(ingest.received);
      }));
    });
  }
});
