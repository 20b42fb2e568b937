// The LL-HLS segmenter against a publisher's timestamps (B-frames, audio arriving late, ffmpeg -stream_loop's wrap): where a player places each segment is where its media is buffered.
import { describe, expect, it } from 'vitest';
import { DtsEstimator } from '../../server/core/dts.js';
import type { Track } from '../../server/media/track.js';
import { durationSecs, extinfSecs, formatPlaylist } from '../../server/http/hls/playlist.js';
import { Segmenter, type CutPart } from '../../server/http/hls/segmenter.js';
import { parsePlaylist } from '../helpers/playlist-check.js';

const VIDEO: Track = { id: 0, kind: 'video', codec: 'H264', clockRate: 90000, payloadType: 96, h264: { sps: [new Uint8Array([0x67, 0x64, 0x00, 0x1e, 0xac])], pps: [new Uint8Array([0x68, 0xee, 0x3c, 0x80])] } };
const AUDIO: Track = { id: 1, kind: 'audio', codec: 'AAC', clockRate: 48000, channels: 2, payloadType: 97, aac: { asc: new Uint8Array([0x11, 0x90]) } };

interface Unit {
  trackId: number;
  pts: number;
  key: boolean;
  arrival: number;
}

/**
 * What ffmpeg `-re -stream_loop -1 -i media/sample.mp4 -c copy` publishes, as RTP timestamps:
 * 30 fps H.264 with B-frames (I P B B, 2 s closed GOPs, sent in decode order), AAC at 48 kHz
 * arriving 0.3 s after the video of the same time. At the 20 s wrap (measured with framecrc on
 * media/sample.mp4) the video jumps 10.7 ms (the clip's 20.0107 s loop offset) and the audio
 * overlaps: the clip's last AAC frame starts at 959488 and the first one after the wrap at 959489.
 */
function publisherUnits(seconds: number, loopAt: number | undefined): Unit[] {
  const units: Unit[] = [];
  const gop = 60;
  const loopFrame = loopAt === undefined ? Infinity : loopAt * 30;
  const frames = seconds * 30;
  for (let g = 0; g < frames; g += gop) {
    const order = [0];
    for (let i = 1; i < gop; ) {
      const p = Math.min(i + 2, gop - 1);
      order.push(p);
      for (let b = i; b < p; b++) order.push(b);
      i = p + 1;
    }
    order.forEach((idx, n) => {
      const frame = g + idx;
      const gap = frame >= loopFrame ? 961 : 0;
      const decodeAt = (g + n) / 30 + (g + n >= loopFrame ? 961 / 90000 : 0);
      units.push({ trackId: 0, pts: frame * 3000 + gap, key: idx === 0, arrival: decodeAt });
    });
  }
  const loopSample = loopAt === undefined ? Infinity : loopAt * 48000;
  for (let k = 0, pts = 0; pts < seconds * 48000; k++) {
    units.push({ trackId: 1, pts, key: true, arrival: pts / 48000 + 0.3 });
    pts = pts + 1024 >= loopSample && pts < loopSample ? pts + 1 : pts + 1024;
  }
  return units.sort((a, b) => a.arrival - b.arrival);
}

interface Run {
  track: number;
  base: number;
  durations: number[];
  ctos: number[];
}

/** moof > traf > tfhd/tfdt/trun, as written by writeFragment (trun v1: duration, size, flags, cto). */
function runsOf(data: Uint8Array): Run[] {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const boxes = (from: number, to: number): { type: string; at: number; size: number }[] => {
    const out = [];
    for (let o = from; o < to; ) {
      const size = dv.getUint32(o);
      out.push({ type: String.fromCharCode(...data.subarray(o + 4, o + 8)), at: o, size });
      o += size;
    }
    return out;
  };
  const runs: Run[] = [];
  for (const moof of boxes(0, data.length).filter((b) => b.type === 'moof')) {
    for (const traf of boxes(moof.at + 8, moof.at + moof.size).filter((b) => b.type === 'traf')) {
      const run: Run = { track: 0, base: 0, durations: [], ctos: [] };
      for (const b of boxes(traf.at + 8, traf.at + traf.size)) {
        if (b.type === 'tfhd') run.track = dv.getUint32(b.at + 12);
        if (b.type === 'tfdt') run.base = Number(dv.getBigUint64(b.at + 12));
        if (b.type === 'trun') {
          const n = dv.getUint32(b.at + 12);
          for (let i = 0; i < n; i++) {
            run.durations.push(dv.getUint32(b.at + 20 + i * 16));
            run.ctos.push(dv.getInt32(b.at + 20 + i * 16 + 12));
          }
        }
      }
      runs.push(run);
    }
  }
  return runs;
}

interface Segment {
  parts: CutPart[];
}

function segment(units: Unit[]): Segment[] {
  const segments: Segment[] = [{ parts: [] }];
  const seg = new Segmenter([VIDEO, AUDIO], { partTarget: 0.2, segmentMin: 1, segmentMax: 30 }, {
    part: (p) => segments[segments.length - 1]!.parts.push(p),
    segmentEnd: () => segments.push({ parts: [] }),
    fail: (reason) => {
      throw new Error(reason);
    },
  });
  // As the AU view times them: video dts estimated from pts, audio dts = pts (strictly increasing).
  const dts = new DtsEstimator(2, 3000);
  let lastAudio = -Infinity;
  for (const u of units) {
    let d: number;
    if (u.trackId === 0) d = dts.next(u.pts);
    else d = lastAudio = Math.max(u.pts, lastAudio + 1);
    const data = u.trackId === 0 ? [new Uint8Array([u.key ? 0x65 : 0x41, 0x88])] : [new Uint8Array([0x21, 0x10])];
    seg.push({ trackId: u.trackId, au: { pts: u.pts, dts: d, duration: u.trackId === 0 ? 3000 : 1024, key: u.key, data }, wallMs: 1_700_000_000_000 + u.arrival * 1000 });
  }
  return segments.filter((s) => s.parts.length > 0);
}

/**
 * What a player gets when it appends the segments in order, as hls.js does: it places the first
 * segment at its video's first presentation time and each next one where the playlist's EXTINFs
 * (as written) add up to. MSE's buffered range is the intersection of the tracks' presented
 * ranges, in whole microseconds; Chromium reported it up to 1 µs short of the exact end (19.999999
 * for a segment ending at 20, 22.010677 for 22.0106777), so that is what is modelled.
 */
function placements(segments: Segment[]): { msn: number; bufferedEnd: number; nextStart: number }[] {
  const out = [];
  let videoEnd = 0;
  let audioEnd = 0;
  let anchor: number | undefined;
  let playlistPos = 0;
  for (let msn = 0; msn < segments.length - 1; msn++) {
    for (const p of segments[msn]!.parts) {
      for (const r of runsOf(p.data)) {
        const scale = r.track === 1 ? 90000 : 48000;
        let t = r.base;
        r.durations.forEach((d, i) => {
          const start = (t + (r.track === 1 ? r.ctos[i]! : 0)) / scale;
          if (r.track === 1) {
            anchor ??= start;
            videoEnd = Math.max(videoEnd, start + d / scale);
          } else {
            audioEnd = Math.max(audioEnd, start + d / scale);
          }
          t += d;
        });
      }
    }
    const extinf = segments[msn]!.parts.reduce((n, p) => n + p.duration, 0);
    playlistPos += Number(extinfSecs(extinf));
    const bufferedEnd = (Math.ceil((Math.min(videoEnd, audioEnd) - anchor!) * 1e6 - 1e-6) - 1) / 1e6;
    out.push({ msn, bufferedEnd, nextStart: playlistPos });
  }
  return out;
}

describe('LL-HLS segments line up with their media', () => {
  // hls.js loading parts at the live edge looks the next segment up at the buffered end with no
  // tolerance: a buffered end short of where the next segment is placed finds the segment just
  // loaded, and it stalls until that segment's parts leave the playlist (~3 target durations).
  for (const [name, loopAt] of [
    ['B-frames and late audio', undefined],
    ['across a publisher loop point (ffmpeg -stream_loop timestamps)', 20],
  ] as const) {
    it(`${name}: every segment's buffered media reaches where the next segment is placed`, () => {
      const segs = segment(publisherUnits(30, loopAt));
      expect(segs.length).toBeGreaterThan(12);
      const short = placements(segs).filter((p) => p.bufferedEnd < p.nextStart - 1e-9);
      const show = short.map((p) => `segment ${p.msn}: buffered to ${p.bufferedEnd.toFixed(6)} s, next segment placed at ${p.nextStart.toFixed(6)} s`);
      expect(show).toEqual([]);
    });
  }

  it('audio is cut where the video is presented: a key frame decodes at its presentation time', () => {
    const segs = segment(publisherUnits(10, undefined));
    for (const s of segs) {
      const video = runsOf(s.parts[0]!.data).find((r) => r.track === 1)!;
      expect(video.ctos[0]).toBe(0);
      const audio = runsOf(s.parts[0]!.data).find((r) => r.track === 2);
      if (audio && s !== segs[0]) expect(Math.abs(audio.base / 48000 - video.base / 90000)).toBeLessThan(1024 / 48000);
    }
  });
});

describe('playlist durations', () => {
  it('are never rounded up, and EXTINF stays 2 µs short: added up, they never place a segment or part after its media starts', () => {
    // 7 frames at 90 kHz with the loop point's 10.7 ms gap: 0.2106777... s.
    const odd = 18961 / 90000;
    expect(durationSecs(odd)).toBe('0.21067');
    expect(durationSecs(0.2)).toBe('0.20000');
    expect(durationSecs(0.1 + 0.2)).toBe('0.30000');
    expect(extinfSecs(2)).toBe('1.99999');
    expect(extinfSecs(odd + 1.8)).toBe('2.01067');
    expect(extinfSecs(2.00001)).toBe('2.00000');
    expect(extinfSecs(2.000012)).toBe('2.00001');
    const parts = [odd, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2].map((d, i) => ({ duration: d, uri: `part-a-0-${i}.mp4`, independent: i === 0 }));
    const exact = parts.reduce((n, p) => n + p.duration, 0);
    const text = formatPlaylist({
      version: 9,
      targetDuration: 2,
      mediaSequence: 0,
      map: 'init-a.mp4',
      endList: false,
      lowLatency: { partTarget: odd, partHoldBack: 3 * odd, holdBack: 6 },
      segments: [{ msn: 0, duration: exact, uri: 'seg-a-0.mp4', parts }],
    });
    const pl = parsePlaylist(text);
    expect(pl.segments[0]!.duration).toBeLessThanOrEqual(exact - 2e-6);
    let sum = 0;
    let media = 0;
    pl.segments[0]!.parts.forEach((p, i) => {
      sum += p.duration;
      media += parts[i]!.duration;
      expect(sum).toBeLessThanOrEqual(media);
    });
  });
});
