// fMP4 writer: init + fragments cut anywhere (not at key frames) decode cleanly in ffmpeg for H.264/H.265 with AAC/Opus; SPS sizes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessUnit } from '../../server/media/access-unit.js';
import { fmp4Supports, sampleOf, videoInfo, writeFragment, writeInitSegment, type Fmp4Run, type Fmp4Track } from '../../server/mux/fmp4/index.js';
import { loadMediaFile, type MediaFile } from '../../server/sources/file/demux.js';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { MEDIA_DIR } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tidecast-fmp4-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Muxes a whole file: fragments of `per` video frames (a fragment boundary lands on a key frame only by chance). */
function muxFile(file: MediaFile, per: number): Uint8Array[] {
  const tracks: Fmp4Track[] = file.tracks.filter(fmp4Supports).map((t) => ({ id: t.id + 1, track: t, timescale: t.clockRate }));
  const out = [writeInitSegment(tracks)];
  const video = tracks.find((t) => t.track.kind === 'video')!;
  const vUnits = file.units[video.track.id]!;
  // Decode time = dts + delay so the first frame (dts = -delay) decodes at 0 and presents at its pts.
  const delay = Math.max(0, -Math.min(...vUnits.map((u) => u.dts)));
  const cursors = tracks.map(() => 0);
  let seq = 1;
  for (let v = 0; v < vUnits.length; v += per) {
    const endDts = v + per < vUnits.length ? vUnits[v + per]!.dts : Infinity;
    const runs: Fmp4Run[] = tracks.map((t, i) => {
      const units = file.units[t.track.id]!;
      const isVideo = t.track.kind === 'video';
      const start = cursors[i]!;
      let end = start;
      while (end < units.length && units[end]!.dts / t.timescale < endDts / 90000) end++;
      cursors[i] = end;
      const shift = isVideo ? delay : 0;
      const samples = units.slice(start, end).map((u: AccessUnit, k) => {
        const next = units[start + k + 1];
        return sampleOf(u, next ? next.dts - u.dts : u.duration, isVideo, u.pts - u.dts - shift);
      });
      return { trackId: t.id, baseDecodeTime: (units[start]?.dts ?? 0) + shift, samples };
    });
    out.push(writeFragment(seq++, runs));
  }
  return out;
}

async function decode(path: string): Promise<{ video: number; audio: number; stderr: string; cmd: string }> {
  const args = ['-v', 'error', '-i', path, '-f', 'framecrc', '-'];
  const r = await run(resolveFfmpeg(), args, { timeoutMs: 60_000 });
  const lines = r.stdout.split('\n');
  return { video: lines.filter((l) => /^0,/.test(l)).length, audio: lines.filter((l) => /^1,/.test(l)).length, stderr: r.stderr, cmd: describeRun('ffmpeg', args, r) };
}

describe('fMP4 writer', () => {
  for (const name of ['sample.mp4', 'sample.mkv']) {
    it(`${name}: fragments of 7 frames decode with no error, every frame and audio packet present`, async () => {
      const file = await loadMediaFile(join(MEDIA_DIR, name));
      const parts = muxFile(file, 7);
      const path = join(tmp, `${name}.mp4`);
      writeFileSync(path, Buffer.concat(parts));
      const d = await decode(path);
      expect(d.stderr, d.cmd).toBe('');
      expect(d.video).toBe(file.units[0]!.length);
      expect(d.audio).toBe(file.units[1]!.length);
      const probe = await run(resolveFfprobe(), ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', path], { timeoutMs: 30_000 });
      expect(probe.stdout.trim().split('\n')).toEqual(['h264,640,360', name.endsWith('mkv') ? 'opus' : 'aac']);
    });
  }

  it('H.265 with B-frames and a cropped size (hvc1/hvcC) decodes with no error', async () => {
    const src = join(tmp, 'hevc.mp4');
    const mk = await run(
      resolveFfmpeg(),
      ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=3', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=3',
        '-c:v', 'libx265', '-x265-params', 'log-level=error:keyint=25:bframes=3', '-tag:v', 'hvc1', '-c:a', 'aac', '-y', src],
      { timeoutMs: 60_000 },
    );
    expect(mk.code, mk.stderr).toBe(0);
    const file = await loadMediaFile(src);
    const info = videoInfo({ ...file.tracks[0]!, width: undefined, height: undefined });
    expect([info.width, info.height]).toEqual([320, 180]);
    expect(info.generalPtl?.length).toBe(12);
    const path = join(tmp, 'hevc-out.mp4');
    writeFileSync(path, Buffer.concat(muxFile(file, 4)));
    const d = await decode(path);
    expect(d.stderr, d.cmd).toBe('');
    expect(d.video).toBe(75);
    expect(d.audio).toBe(file.units[1]!.length);
  });

  it('reads width and height from the H.264 SPS', async () => {
    const file = await loadMediaFile(join(MEDIA_DIR, 'sample.mp4'));
    const info = videoInfo({ ...file.tracks[0]!, width: undefined, height: undefined });
    expect(info).toMatchObject({ width: 640, height: 360, chromaFormat: 1, bitDepthLuma: 8 });
  });

  it('refuses an empty fragment and a negative decode time', () => {
    expect(() => writeFragment(1, [])).toThrow(/at least one sample/);
    expect(() => writeFragment(1, [{ trackId: 1, baseDecodeTime: -1, samples: [{ duration: 1, cto: 0, key: true, data: [new Uint8Array(1)], nal: false }] }])).toThrow(/non-negative/);
  });
});
