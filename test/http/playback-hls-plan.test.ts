// HLS playback of recordings, the pure parts: where segments are cut, how a clip's tracks are split and timed, the
// playback query, and which permission the playback URLs need.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../server/http/errors.js';
import { ruleFor } from '../../server/http/auth/rules.js';
import { planPlayback, segmentStarts } from '../../server/http/hls/playback-plan.js';
import { parsePlaybackQuery } from '../../server/http/hls/playback-query.js';
import type { Track } from '../../server/media/track.js';
import type { Clip, ClipUnit } from '../../server/record/read/clip.js';
import { fuzz } from '../helpers/fuzz.js';

const video: Track = { id: 0, kind: 'video', codec: 'H264', clockRate: 90000, payloadType: 96, h264: { sps: [new Uint8Array([0x67, 0x42, 0xc0, 0x1e])], pps: [new Uint8Array([0x68, 0xce])] } };
const audio: Track = { id: 1, kind: 'audio', codec: 'AAC', clockRate: 48000, payloadType: 97, channels: 2, aac: { asc: new Uint8Array([0x11, 0x90]) } };
const unit = (pts: number, dts: number, duration: number, key: boolean): ClipUnit => ({ pts, dts, duration, key, file: 'f', offset: 0, size: 1 });

/** 30 fps video from pts `first` ticks, a key frame every `gop` frames, with one frame of reorder delay (dts = pts - 3000). */
function videoUnits(frames: number, gop: number, first = 0): ClipUnit[] {
  return Array.from({ length: frames }, (_, i) => unit(first + i * 3000, first + i * 3000 - 3000, 3000, i % gop === 0));
}

describe('segmentStarts', () => {
  const cases: [string, number, number, number[]][] = [
    ['1 s GOPs: every fourth key frame', 300, 30, [0, 4, 8]],
    ['2 s GOPs: every second', 300, 60, [0, 4, 8]],
    ['3 s GOPs: 6 s (waiting past 3 s keeps it within 6)', 600, 90, [0, 6, 12, 18]],
    ['3.5 s GOPs: each (the next would pass 6 s)', 420, 105, [0, 3.5, 7, 10.5]],
    ['10 s GOPs: each, however long', 600, 300, [0, 10]],
  ];
  for (const [name, frames, gop, want] of cases) {
    it(name, () => {
      const units = videoUnits(frames, gop);
      expect(segmentStarts(units, 90000, true).map((i) => units[i]!.pts / 90000)).toEqual(want);
    });
  }
  it('audio only: any frame, every 4 s', () => {
    const units = Array.from({ length: 500 }, (_, i) => unit(i * 1024, i * 1024, 1024, true));
    expect(segmentStarts(units, 48000, false).map((i) => Math.floor((units[i]!.pts / 48000) * 10) / 10)).toEqual([0, 4, 8]);
  });
});

describe('planPlayback', () => {
  // The clip asked from before the first key frame: video presents from 0.1 s, audio from 0.
  const v = videoUnits(271, 60, 9000);
  const a = Array.from({ length: 430 }, (_, i) => unit(i * 1024, i * 1024, 1024, true));
  const clip: Clip = { tracks: [video, audio], units: [v, a], wallStartMs: 1_000_000, duration: 9.2, files: ['f'] };
  const plan = planPlayback(clip)!;

  it('starts at the first video frame: EXTINFs exact from the units, adding up to the video', () => {
    expect(plan.originSec).toBeCloseTo(0.1, 9);
    expect(plan.segments.map((s) => s.start)).toEqual([0, 4, 8]);
    expect(plan.segments.map((s) => s.duration)).toEqual([4, 4, 271 / 30 - 8]);
    expect(plan.end).toBeCloseTo(271 / 30, 9);
  });

  it('splits the video at its key frames and the audio by time, dropping audio before the first frame', () => {
    const [vt, at] = plan.tracks;
    expect(vt!.fmp4.id).toBe(1);
    expect(at!.fmp4.id).toBe(2);
    expect(at!.units[0]!.pts).toBeGreaterThanOrEqual(4800);
    expect(plan.segments.map((s) => s.ranges[0])).toEqual([[0, 120], [120, 240], [240, 271]]);
    const audioRanges = plan.segments.map((s) => s.ranges[1]!);
    expect(audioRanges[0]![0]).toBe(0);
    expect(audioRanges[2]![1]).toBe(at!.units.length);
    for (let k = 1; k < 3; k++) {
      expect(audioRanges[k]![0]).toBe(audioRanges[k - 1]![1]);
      // The first audio frame of a segment presents at or after the segment's start, the one before it before.
      const first = at!.units[audioRanges[k]![0]]!;
      expect((first.pts - at!.offset) / 48000).toBeGreaterThanOrEqual(plan.segments[k]!.start);
      expect((at!.units[audioRanges[k]![0] - 1]!.pts - at!.offset) / 48000).toBeLessThan(plan.segments[k]!.start);
    }
    // Decode times are non-negative: the reorder delay is made up by the shift.
    expect(vt!.units[0]!.dts - vt!.offset + vt!.shift).toBe(0);
  });

  it('nothing HLS carries: undefined', () => {
    const pcmu: Track = { id: 0, kind: 'audio', codec: 'PCMU', clockRate: 8000, payloadType: 0 };
    expect(planPlayback({ tracks: [pcmu], units: [[unit(0, 0, 160, true)]], wallStartMs: 0, duration: 0.02, files: ['f'] })).toBeUndefined();
  });
});

describe('parsePlaybackQuery', () => {
  const good: [Record<string, unknown>, number, number | undefined][] = [
    [{ start: '2026-12-03T22:10:00Z' }, Date.UTC(2026, 11, 3, 22, 10), undefined],
    [{ start: '2026-12-03T22:10:00.250Z', duration: '60' }, Date.UTC(2026, 11, 3, 22, 10, 0, 250), 60],
    [{ start: '2026-12-03T23:10:00+01:00', duration: '1.5' }, Date.UTC(2026, 11, 3, 22, 10), 1.5],
    // "+01:00" not escaped in a query arrives as " 01:00".
    [{ start: '2026-12-03T23:10:00 01:00' }, Date.UTC(2026, 11, 3, 22, 10), undefined],
  ];
  for (const [q, ms, d] of good) {
    it(`accepts ${JSON.stringify(q)}`, () => {
      const r = parsePlaybackQuery(q);
      expect(r.startMs).toBe(ms);
      expect(r.duration).toBe(d);
    });
  }
  const bad: Record<string, unknown>[] = [{}, { start: '' }, { start: 'yesterday' }, { start: '2026-12-03T22:10:00' }, { start: '2026-13-03T22:10:00Z' }, { start: '2026-12-03T22:10:00Z', duration: '0' }, { start: '2026-12-03T22:10:00Z', duration: '-3' }, { start: '2026-12-03T22:10:00Z', duration: '1e3' }, { start: '2026-12-03T22:10:00Z', duration: '99999999' }];
  for (const q of bad) {
    it(`400 for ${JSON.stringify(q)}`, () => {
      expect(() => parsePlaybackQuery(q)).toThrow(expect.objectContaining({ status: 400 }));
    });
  }
});

describe('fuzz properties', () => {
  it('any query: a time and a positive duration, or a 400', () => {
    const text = fc.oneof(fc.string(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.double().map(String));
    fuzz('playback query', 1515, 500, fc.property(fc.record({ start: fc.oneof(text, fc.array(text)), duration: fc.option(text, { nil: undefined }) }, { requiredKeys: [] }), (q) => {
      try {
        const r = parsePlaybackQuery(q);
        return Number.isFinite(r.startMs) && (r.duration === undefined || r.duration > 0);
      } catch (e) {
        return e instanceof HttpError && e.status === 400;
      }
    }));
  });

  it('segment plans: every unit in exactly one segment, EXTINFs adding up to the video', () => {
    const arb = fc.record({ frames: fc.integer({ min: 1, max: 400 }), gop: fc.integer({ min: 1, max: 250 }), first: fc.integer({ min: 0, max: 90000 }), audio: fc.integer({ min: 0, max: 600 }) });
    fuzz('playback plan', 1516, 200, fc.property(arb, ({ frames, gop, first, audio: n }) => {
      const a = Array.from({ length: n }, (_, i) => unit(i * 1024, i * 1024, 1024, true));
      const plan = planPlayback({ tracks: [video, audio], units: [videoUnits(frames, gop, first), a], wallStartMs: 0, duration: 0, files: ['f'] })!;
      const total = plan.segments.reduce((x, s) => x + s.duration, 0);
      const covered = (i: number): number => plan.segments.reduce((x, s) => x + s.ranges[i]![1] - s.ranges[i]![0], 0);
      return Math.abs(total - frames / 30) < 1e-6 && covered(0) === frames && covered(1) === plan.tracks[1]!.units.length;
    }));
  });
});

describe('playback URLs need the playback permission of their path', () => {
  const cases: [string, string, string][] = [
    ['/cams/door/playback.m3u8', 'cams/door', 'hls'],
    ['/cams/door/playback/init.mp4', 'cams/door', 'hls'],
    ['/cams/door/playback/12.m4s', 'cams/door', 'hls'],
    ['/cam%201/playback.mp4', 'cam 1', 'http'],
    ['/cam/playback.ts', 'cam', 'http'],
  ];
  for (const [url, path, protocol] of cases) {
    it(url, () => expect(ruleFor(url)).toEqual({ kind: 'check', action: 'playback', path, protocol }));
  }
  it('the live playlist stays a read', () => expect(ruleFor('/cam/index.m3u8')).toMatchObject({ action: 'read', path: 'cam' }));
});
