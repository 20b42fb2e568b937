// fast-check arbitraries for hostile RTP: per-codec payloads that are almost valid (bad SPS, FU-A without end, STAP-A lengths past the packet, NAL types 0/31, AU-header lengths past the packet, Opus TOC nonsense, H.265 FU/AP nonsense) and the packets that carry them.
import fc from 'fast-check';
import type { CodecName } from '../../server/media/track.js';
import { buildRtpPacket } from '../../server/rtp/packet.js';
import { packetizeAccessUnit } from '../../server/rtp/packetizer.js';

const bytes = (max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength: max });
const cat = (...parts: (number[] | Uint8Array)[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

/** An aggregation packet body: (16-bit size, unit) pairs whose sizes may lie (past the packet, zero, short). */
const aggregated = (header: number[]): fc.Arbitrary<Uint8Array> =>
  fc
    .array(fc.tuple(bytes(40), fc.oneof(fc.constant(0), fc.integer({ min: -3, max: 3 }), fc.integer({ min: 0, max: 0xffff }))), { minLength: 0, maxLength: 5 })
    .chain((units) => fc.boolean().map((truncate) => {
      const out: number[] = [...header];
      for (const [nal, lie] of units) {
        const size = lie > 3 || lie < -3 ? lie : Math.max(0, nal.length + lie);
        out.push((size >> 8) & 0xff, size & 0xff, ...nal);
      }
      return Uint8Array.from(truncate && out.length > 1 ? out.slice(0, out.length - 1) : out);
    }));

const h264Payload: fc.Arbitrary<Uint8Array> = fc.oneof(
  // Any NAL type 0..31 (0 and 30/31 are reserved; 24-29 need their own headers).
  fc.tuple(fc.integer({ min: 0, max: 255 }), bytes(80)).map(([h, b]) => cat([h], b)),
  // SPS/PPS/IDR/SEI headers with random bodies: a bad SPS is what reaches the muxers' parsers.
  fc.tuple(fc.constantFrom(0x67, 0x68, 0x65, 0x06, 0x41, 0x09), bytes(60)).map(([h, b]) => cat([h], b)),
  fc.tuple(fc.constantFrom(0x67), fc.constantFrom(66, 77, 100, 110, 122, 244), bytes(30)).map(([h, p, b]) => cat([h, p, 0, 30], b)),
  aggregated([0x18]), // STAP-A
  // FU-A: any S/E combination (start without end, end without start, both), any type.
  fc.tuple(fc.integer({ min: 0, max: 7 }), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 31 }), bytes(120)).map(([nri, s, e, t, b]) =>
    cat([(nri << 5) | 28, (s ? 0x80 : 0) | (e ? 0x40 : 0) | t], b),
  ),
  fc.constantFrom(Uint8Array.of(0x1c), Uint8Array.of(0x18), Uint8Array.of(0x18, 0xff, 0xff), new Uint8Array(0)),
  bytes(200),
);

const h265Payload: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 255 }), bytes(80)).map(([t, l, b]) => cat([t << 1, l], b)),
  // VPS/SPS/PPS/IDR with random bodies.
  fc.tuple(fc.constantFrom(32, 33, 34, 19, 1), bytes(60)).map(([t, b]) => cat([t << 1, 1], b)),
  aggregated([48 << 1, 1]), // AP
  fc.tuple(fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 63 }), bytes(120)).map(([s, e, t, b]) =>
    cat([49 << 1, 1, (s ? 0x80 : 0) | (e ? 0x40 : 0) | t], b),
  ),
  fc.constantFrom(Uint8Array.of(49 << 1, 1), Uint8Array.of(48 << 1, 1, 0), Uint8Array.of(50 << 1, 1, 0, 0), Uint8Array.of(0x62)),
  bytes(200),
);

/** RFC 3640 AAC-hbr: AU-headers-length (bits) and 13-bit sizes that may disagree with the data. */
const aacPayload: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.tuple(fc.array(fc.integer({ min: 0, max: 0x1fff }), { minLength: 1, maxLength: 6 }), fc.integer({ min: -2, max: 2 }), bytes(300)).map(([sizes, bitsLie, data]) => {
    const bits = Math.max(0, 16 * sizes.length + bitsLie * 8);
    const head = [bits >> 8, bits & 0xff];
    for (const s of sizes) head.push(s >> 5, ((s & 0x1f) << 3) | (s % 8));
    return cat(head, data);
  }),
  // One AU-header whose size matches the data, or exceeds it (a fragment, or a lie).
  fc.tuple(bytes(200), fc.integer({ min: 0, max: 400 })).map(([data, extra]) => {
    const size = Math.min(0x1fff, data.length + extra);
    return cat([0, 16, size >> 5, (size & 0x1f) << 3], data);
  }),
  fc.constantFrom(Uint8Array.of(0, 16), Uint8Array.of(0xff, 0xff), Uint8Array.of(0, 0), Uint8Array.of(0, 8, 1)),
  bytes(100),
);

/** RFC 6716 §3.1: every TOC byte, code 3 frame-count bytes that lie, lengths from 0 up. */
const opusPayload: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 255 }), bytes(120)).map(([toc, b]) => cat([toc], b)),
  fc.tuple(fc.integer({ min: 0, max: 31 }), fc.integer({ min: 0, max: 255 }), bytes(60)).map(([config, count, b]) => cat([(config << 3) | 3, count], b)),
  fc.constant(new Uint8Array(0)),
  fc.uint8Array({ minLength: 1000, maxLength: 1500 }),
);

const g711Payload: fc.Arbitrary<Uint8Array> = bytes(400);

export function payloadFor(codec: CodecName): fc.Arbitrary<Uint8Array> {
  switch (codec) {
    case 'H264':
      return h264Payload;
    case 'H265':
      return h265Payload;
    case 'AAC':
      return aacPayload;
    case 'OPUS':
      return opusPayload;
    default:
      return g711Payload;
  }
}

/** One hostile packet's fields: a payload for `codec`, and how seq and timestamp move from the previous one. */
export interface PacketStep {
  payload: Uint8Array;
  marker: boolean;
  /** Added to the previous seq: mostly 1, sometimes a loss, a duplicate, a reorder or a restart. */
  seqStep: number;
  /** Added to the previous timestamp: 0 (same frame), a frame, or a jump either way. */
  tsStep: number;
}

const SPS = Uint8Array.of(0x67, 0x64, 0x00, 0x1e, 0xac, 0xd1, 0x00, 0xa0, 0x2f, 0xf9, 0x70, 0x11);
const PPS = Uint8Array.of(0x68, 0xeb, 0xec, 0xb2, 0x2c);
const H265_PS = [Uint8Array.of(0x40, 1, 0x0c), Uint8Array.of(0x42, 1, 1, 1, 0x60), Uint8Array.of(0x44, 1, 0xc1)];

/** A well-formed access unit's NAL units or frame: key frames with parameter sets, others, any size. */
function frameFor(codec: CodecName): fc.Arbitrary<Uint8Array[]> {
  const body = fc.uint8Array({ minLength: 1, maxLength: 3000 });
  if (codec === 'H264') {
    return fc.tuple(fc.boolean(), body).map(([key, b]) => (key ? [SPS, PPS, cat([0x65], b)] : [cat([0x41], b)]));
  }
  if (codec === 'H265') {
    return fc.tuple(fc.boolean(), body).map(([key, b]) => (key ? [...H265_PS, cat([19 << 1, 1], b)] : [cat([1 << 1, 1], b)]));
  }
  return fc.uint8Array({ minLength: 1, maxLength: codec === 'AAC' ? 1500 : 400 }).map((f) => [f]);
}

/** A frame as a sender packetizes it (RFC 6184/7798/3640/7587/3551), the marker on its last packet. */
function frameSteps(codec: CodecName): fc.Arbitrary<PacketStep[]> {
  const clock = codec === 'H264' || codec === 'H265' ? 90000 : 48000;
  return fc.tuple(frameFor(codec), fc.constantFrom(1200, 400)).map(([data, mtu]) => {
    const track = { id: 0, kind: 'video' as const, codec, clockRate: clock, payloadType: 96 };
    const payloads = packetizeAccessUnit(track, { pts: 0, dts: 0, duration: 0, key: true, data }, mtu);
    return payloads.map((payload, i) => ({ payload, marker: i === payloads.length - 1, seqStep: 1, tsStep: i === 0 ? (codec === 'H264' || codec === 'H265' ? 3000 : 1024) : 0 }));
  });
}

export function packetSteps(codec: CodecName, maxLength = 40): fc.Arbitrary<PacketStep[]> {
  const step = fc.record({
    payload: payloadFor(codec),
    marker: fc.boolean(),
    seqStep: fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: -200, max: 40000 }) }),
    tsStep: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.constantFrom(3000, 1024, 960, 160) }, { weight: 1, arbitrary: fc.integer({ min: -0x7fffffff, max: 0x7fffffff }) }),
  });
  // Good frames between the garbage, so the garbage meets depacketizers and muxers in every state.
  const chunk = fc.oneof({ weight: 2, arbitrary: step.map((s) => [s]) }, { weight: 1, arbitrary: frameSteps(codec) });
  return fc.array(chunk, { minLength: 1, maxLength: Math.max(1, maxLength >> 2) }).map((chunks) => chunks.flat().slice(0, maxLength * 4));
}

/** The packets of `steps` as depacketizer input (seq and timestamp wrapped as RTP does). */
export function stepInputs(steps: PacketStep[], seq0 = 1000, ts0 = 90000): { payload: Uint8Array; marker: boolean; sequenceNumber: number; timestamp: number }[] {
  let seq = seq0;
  let ts = ts0;
  return steps.map((s) => {
    seq = (seq + s.seqStep) & 0xffff;
    ts = (ts + s.tsStep) >>> 0;
    return { payload: s.payload, marker: s.marker, sequenceNumber: seq, timestamp: ts };
  });
}

/** Whole RTP packets of `steps`; some of them broken at the RTP level (version, padding, extension, CSRC count, length). */
export function rtpPackets(codec: CodecName, payloadType: number, maxLength = 40): fc.Arbitrary<Uint8Array[]> {
  const breakage = fc.oneof(
    { weight: 8, arbitrary: fc.constant('none' as const) },
    { weight: 1, arbitrary: fc.constantFrom('version', 'padding', 'extension', 'csrc', 'short') },
  );
  return fc.tuple(packetSteps(codec, maxLength), fc.array(breakage, { minLength: maxLength, maxLength }), fc.integer({ min: 0, max: 0xffffffff })).map(([steps, breaks, ssrc]) =>
    stepInputs(steps).map((p, i) => {
      const pkt = buildRtpPacket({ payloadType, sequenceNumber: p.sequenceNumber, timestamp: p.timestamp, ssrc, marker: p.marker }, p.payload);
      return breakRtp(pkt, breaks[i] ?? 'none');
    }),
  );
}

function breakRtp(pkt: Uint8Array, how: 'none' | 'version' | 'padding' | 'extension' | 'csrc' | 'short'): Uint8Array {
  const b = pkt.slice();
  switch (how) {
    case 'version':
      b[0] = (b[0]! & 0x3f) | 0x40;
      return b;
    case 'padding':
      // Padding bit with a padding count past the payload.
      b[0]! |= 0x20;
      b[b.length - 1] = 0xff;
      return b;
    case 'extension':
      // Extension bit: the payload's first word is read as an extension header of any length.
      b[0]! |= 0x10;
      return b;
    case 'csrc':
      b[0]! |= 0x0f;
      return b;
    case 'short':
      return b.subarray(0, Math.min(b.length, 11));
    default:
      return b;
  }
}
