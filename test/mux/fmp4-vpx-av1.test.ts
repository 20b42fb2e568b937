// vp08/vp09 + vpcC and av01 + av1C sample entries: the bundled clips through the fMP4 writer decode in ffmpeg, and the boxes hold what the bitstream said.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Track } from '../../server/media/track.js';
import { fmp4Supports, nalSamples, sampleOf, writeFragment, writeInitSegment } from '../../server/mux/fmp4/index.js';
import { vp9Level } from '../../server/mux/fmp4/vpx-av1-entry.js';
import { loadMediaFile } from '../../server/sources/file/demux.js';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { MEDIA_DIR } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tidecast-vpx-av1-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The payload of the first box of `type` anywhere in `b` (a flat scan: fourcc preceded by a plausible size). */
function findBox(b: Uint8Array, type: string): Uint8Array | undefined {
  const code = [...type].map((c) => c.charCodeAt(0));
  for (let i = 4; i + 4 <= b.length; i++) {
    if (code.every((c, k) => b[i + k] === c)) {
      const size = new DataView(b.buffer, b.byteOffset + i - 4).getUint32(0);
      if (size >= 8 && i - 4 + size <= b.length) return b.subarray(i + 4, i - 4 + size);
    }
  }
  return undefined;
}

const clips: [string, string, string][] = [
  ['sample-vp8.webm', 'vp08', 'vp8'],
  ['sample-vp9.webm', 'vp09', 'vp9'],
  ['sample-av1.mp4', 'av01', 'av1'],
];

describe('fMP4 for VP8, VP9 and AV1', () => {
  for (const [name, entry, codec] of clips) {
    it(`${name}: ${entry} init + fragments of 5 frames decode, all 45 frames, ${codec} 320x180`, async () => {
      const file = await loadMediaFile(join(MEDIA_DIR, name));
      const track = file.tracks[0]!;
      expect([track.width, track.height, fmp4Supports(track), nalSamples(track)]).toEqual([320, 180, true, false]);
      const init = writeInitSegment([{ id: 1, track, timescale: 90000 }]);
      expect(findBox(init, entry), `${entry} box`).toBeDefined();
      const units = file.units[0]!;
      const parts = [init];
      for (let i = 0; i < units.length; i += 5) {
        const samples = units.slice(i, i + 5).map((u, k) => sampleOf(u, (units[i + k + 1]?.dts ?? u.dts + u.duration) - u.dts, true, 0, false));
        parts.push(writeFragment(parts.length, [{ trackId: 1, baseDecodeTime: units[i]!.dts, samples }]));
      }
      const path = join(tmp, `${name}.mp4`);
      writeFileSync(path, Buffer.concat(parts));
      const args = ['-v', 'error', '-i', path, '-f', 'framecrc', '-'];
      const r = await run(resolveFfmpeg(), args, { timeoutMs: 30_000 });
      expect(r.stderr, describeRun('ffmpeg', args, r)).toBe('');
      expect(r.stdout.split('\n').filter((l) => /^0,/.test(l)).length).toBe(45);
      const probe = await run(resolveFfprobe(), ['-v', 'error', '-show_entries', 'stream=codec_name,width,height,pix_fmt', '-of', 'csv=p=0', path], { timeoutMs: 30_000 });
      expect(probe.stdout.trim()).toBe(`${codec},320,180,yuv420p`);
    });
  }

  it('vpcC (VP codec binding §2.2): version 1, profile, level, 8-bit 4:2:0, no init data', () => {
    const track: Track = { id: 0, kind: 'video', codec: 'VP9', clockRate: 90000, payloadType: 96, width: 320, height: 180, vpx: { profile: 0, bitDepth: 8, chromaSubsampling: 0, fullRange: false, colorSpace: 2 } };
    const vpcc = findBox(writeInitSegment([{ id: 1, track, timescale: 90000 }]), 'vpcC')!;
    expect([...vpcc]).toEqual([1, 0, 0, 0, 0, 11, 0x80, 2, 2, 1, 0, 0]);
  });

  it('vp9Level: the smallest level whose picture size fits', () => {
    expect([vp9Level(320, 180), vp9Level(640, 360), vp9Level(1280, 720), vp9Level(1920, 1080), vp9Level(7680, 4320)]).toEqual([11, 21, 31, 40, 60]);
  });

  it('av1C (AV1 ISO BMFF §2.3): marker/version, profile and level, format bits, the sequence header OBU', async () => {
    const file = await loadMediaFile(join(MEDIA_DIR, 'sample-av1.mp4'));
    const track = file.tracks[0]!;
    const av1c = findBox(writeInitSegment([{ id: 1, track, timescale: 90000 }]), 'av1C')!;
    // Main profile, level 2.0 (seq_level_idx 0), tier 0, 8-bit, 4:2:0 (subsampling x and y), position 0.
    expect([...av1c.subarray(0, 4)]).toEqual([0x81, 0x00, 0x0c, 0x00]);
    expect([...av1c.subarray(4)]).toEqual([...track.av1!.seqHeader]);
    expect(av1c[4]! >>> 3).toBe(1); // OBU_SEQUENCE_HEADER
  });

  it('a track whose key frame was never seen is not carried (its format is unknown)', () => {
    for (const codec of ['VP8', 'VP9', 'AV1'] as const) {
      expect(fmp4Supports({ id: 0, kind: 'video', codec, clockRate: 90000, payloadType: 96 })).toBe(false);
    }
  });
});
