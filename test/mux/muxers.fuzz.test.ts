// Property: the fMP4 muxer (live and file fragments), the LL-HLS segmenter and the MPEG-TS muxer fed hostile access units (any size, key flag, pts/dts jump or reordering, empty units, random NAL bytes) never throw, write well-formed boxes and packets, and hold a bounded amount.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TimedUnit } from '../../server/core/au-view.js';
import { Segmenter, type CutPart } from '../../server/http/hls/segmenter.js';
import type { AccessUnit } from '../../server/media/access-unit.js';
import type { CodecName, Track } from '../../server/media/track.js';
import { Fmp4Muxer } from '../../server/mux/fmp4-muxer.js';
import { TsMuxer } from '../../server/mux/mpegts.js';
import { fuzz } from '../helpers/fuzz.js';
import { fragmentProblems, initProblems, tsProblems } from '../helpers/mux-check.js';

const SPS = Uint8Array.of(0x67, 0x64, 0x00, 0x1e, 0xac, 0xd1, 0x00, 0xa0, 0x2f, 0xf9, 0x70, 0x11);
const PPS = Uint8Array.of(0x68, 0xeb, 0xec, 0xb2, 0x2c);
/** ffmpeg's libx265 320x240 SPS (main profile). */
const H265_VPS = Uint8Array.of(0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x3c, 0x95, 0x98, 0x09);
const H265_SPS = Uint8Array.of(0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x3c, 0xa0, 0x0a, 0x08, 0x0f, 0x16, 0x59, 0x59, 0x52, 0x93, 0x2b, 0xc0, 0x5a, 0x02, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00, 0x00, 0x03, 0x00, 0x3c, 0x10);
const H265_PPS = Uint8Array.of(0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40);

/** A video track with real parameter sets or garbage ones (what an ANNOUNCE may carry). */
const videoTrack = fc
  .record({ codec: fc.constantFrom<CodecName>('H264', 'H265'), garbage: fc.option(fc.uint8Array({ minLength: 1, maxLength: 40 }), { freq: 4 }) })
  .map(({ codec, garbage }): Track => {
    const t: Track = { id: 0, kind: 'video', codec, clockRate: 90000, payloadType: 96 };
    if (codec === 'H264') t.h264 = garbage ? { sps: [garbage], pps: [garbage] } : { sps: [SPS], pps: [PPS] };
    else t.h265 = garbage ? { vps: [garbage], sps: [garbage], pps: [garbage] } : { vps: [H265_VPS], sps: [H265_SPS], pps: [H265_PPS] };
    return t;
  });

const audioTrack = fc
  .record({ codec: fc.constantFrom<CodecName>('AAC', 'OPUS'), asc: fc.oneof(fc.constant(Uint8Array.of(0x11, 0x90)), fc.uint8Array({ minLength: 2, maxLength: 6 })), channels: fc.constantFrom(1, 2, 6), rate: fc.constantFrom(8000, 44100, 48000) })
  .map(({ codec, asc, channels, rate }): Track => {
    const clockRate = codec === 'OPUS' ? 48000 : rate;
    const t: Track = { id: 1, kind: 'audio', codec, clockRate, channels, sampleRate: clockRate, payloadType: 97 };
    if (codec === 'AAC') t.aac = { asc };
    return t;
  });

/** Decode-time steps: a frame, none, a step back, a wild jump (a publisher's clock restarting or lying). */
const step = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 6000 }) },
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: -9000, max: -1 }) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 36), max: 2 ** 36 }) },
);

const nal = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 5000, maxLength: 12000 }) },
);

const frame = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 400 }) },
  { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 8000, maxLength: 9000 }) },
);

interface Unit {
  trackId: number;
  au: AccessUnit;
}

/** A sequence of units of both tracks, interleaved in any order, with dts walking by `step` and pts anywhere around it. */
const units = fc.array(
  fc.record({
    trackId: fc.integer({ min: 0, max: 2 }),
    dstep: step,
    cto: fc.oneof(fc.constant(0), fc.integer({ min: -6000, max: 12000 }), fc.integer({ min: -(2 ** 33), max: 2 ** 33 })),
    duration: fc.oneof(fc.constant(3000), fc.constant(1024), fc.constant(0), fc.integer({ min: -5000, max: 2 ** 32 })),
    key: fc.boolean(),
    nals: fc.array(nal, { maxLength: 4 }),
    frame,
  }),
  { maxLength: 80 },
).map((list) => {
  const dts = [0, 0, 0];
  return list.map(({ trackId, dstep, cto, duration, key, nals, frame: f }): Unit => {
    dts[trackId] = dts[trackId]! + dstep;
    const d = dts[trackId]!;
    return { trackId, au: { dts: d, pts: d + cto, duration, key, data: trackId === 0 ? nals : [f] } };
  });
});

const input = fc.record({ video: fc.option(videoTrack, { freq: 5 }), audio: fc.option(audioTrack, { freq: 5 }), units });

function tracksOf(video: Track | null, audio: Track | null): Track[] {
  return [video, audio].filter((t): t is Track => t !== null);
}

/** Bytes an access unit puts in an mdat: 4-byte lengths before NAL units (ISO 14496-15), audio as is. */
function sampleBytes(u: Unit): number {
  return u.au.data.reduce((n, d) => n + d.length + (u.trackId === 0 ? 4 : 0), 0);
}

/** Sample bytes in a run of fragments: their mdat payloads (fragmentProblems checks that the truns add up to them). */
function mdatBytes(b: Uint8Array): number {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let total = 0;
  for (let o = 0; o + 8 <= b.length; o += dv.getUint32(o)) if (String.fromCharCode(...b.subarray(o + 4, o + 8)) === 'mdat') total += dv.getUint32(o) - 8;
  return total;
}

describe('the muxers fed hostile access units', () => {
  it('fMP4 (live and 0.5 s fragments): boxes tile, truns fill their mdat, and every carried byte comes out after flush', () => {
    let fragments = 0;
    fuzz('fMP4 muxer <- hostile access units', 201, 1200, fc.property(input, fc.constantFrom(0, 0.5), ({ video, audio, units: list }, fragmentSeconds) => {
      const m = new Fmp4Muxer(tracksOf(video, audio), { fragmentSeconds });
      const problems = initProblems(m.init);
      let inBytes = 0;
      let outBytes = 0;
      const take = (chunks: { bytes: Uint8Array }[]): void => {
        for (const c of chunks) {
          fragments++;
          problems.push(...fragmentProblems(c.bytes));
          outBytes += mdatBytes(c.bytes);
        }
      };
      for (const u of list) {
        if (m.carries(u.trackId)) inBytes += sampleBytes(u);
        take(m.push(u.trackId, u.au));
      }
      take(m.flush());
      expect(problems).toEqual([]);
      expect(outBytes).toBe(inBytes);
    }));
    expect(fragments).toBeGreaterThan(400);
  });

  it('MPEG-TS: whole 188-byte packets with the sync byte and continuous counters per PID, and no unit lost', () => {
    fuzz('MPEG-TS muxer <- hostile access units', 202, 1200, fc.property(input, ({ video, audio, units: list }) => {
      const m = new TsMuxer(tracksOf(video, audio));
      const cc = new Map<number, number>();
      const problems: string[] = [];
      for (const u of list) {
        const c = m.mux(u.trackId, u.au);
        if (!m.carries(u.trackId)) {
          expect(c).toBeNull();
          continue;
        }
        // A unit's packets: its PES header, the bytes (ADTS/Opus headers added) and at most one packet of tables and stuffing.
        expect(c!.bytes.length).toBeLessThanOrEqual(188 * (4 + Math.ceil((sampleBytes(u) + 64) / 176)));
        problems.push(...tsProblems(c!.bytes, cc));
      }
      expect(problems).toEqual([]);
    }));
  });

  it('LL-HLS segmenter: parts are well-formed fragments, a stream without key frames fails cleanly, and parts stay bounded', () => {
    let parts = 0;
    fuzz('LL-HLS segmenter <- hostile access units', 203, 1200, fc.property(input, fc.constantFrom(0.1, 0.2, 1), ({ video, audio, units: list }, partTarget) => {
      const tracks = tracksOf(video, audio);
      if (tracks.length === 0) return;
      const problems: string[] = [];
      let pushed = 0;
      let out = 0;
      let failed: string | undefined;
      const sink = {
        part: (p: CutPart) => {
          parts++;
          problems.push(...fragmentProblems(p.data));
          out += mdatBytes(p.data);
          if (!Number.isFinite(p.duration) || !Number.isFinite(p.wallMs)) problems.push(`part duration ${p.duration}, wall clock ${p.wallMs}`);
        },
        segmentEnd: () => {},
        fail: (reason: string) => {
          failed = reason;
        },
      };
      const seg = new Segmenter(tracks, { partTarget, segmentMin: 1, segmentMax: 8 }, sink);
      let wallMs = 1_700_000_000_000;
      for (const u of list) {
        wallMs += 10;
        if (tracks.some((t) => t.id === u.trackId)) pushed += sampleBytes(u);
        seg.push({ trackId: u.trackId, au: u.au, wallMs } satisfies TimedUnit);
        if (seg.init) problems.push(...initProblems(seg.init));
      }
      seg.flush();
      expect(problems).toEqual([]);
      if (failed !== undefined) expect(failed).toMatch(/no key frame/);
      // What comes out came in (nothing duplicated, nothing invented).
      expect(out).toBeLessThanOrEqual(pushed);
    }));
    expect(parts).toBeGreaterThan(200);
  });
});
