// Loads the bundled samples through the mediabunny demuxer and checks tracks, parameter sets and timing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../../server/sources/process/ffmpeg-path.js';
import { loadMediaFile, splitAnnexB, type MediaFile } from '../../../server/sources/file/demux.js';

const MEDIA = join(import.meta.dirname, '../../../media');

function parseAsc(asc: Uint8Array): { aot: number; rate: number; channels: number } {
  const rates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
  const aot = asc[0]! >> 3;
  const sfi = ((asc[0]! & 7) << 1) | (asc[1]! >> 7);
  return { aot, rate: rates[sfi]!, channels: (asc[1]! >> 3) & 0x0f };
}

const cases = [
  { file: 'sample.mp4', audio: 'AAC' },
  { file: 'sample.ts', audio: 'AAC' },
  { file: 'sample.mkv', audio: 'OPUS' },
] as const;

describe.each(cases)('loadMediaFile($file)', ({ file, audio }) => {
  let m: MediaFile;
  const load = async (): Promise<MediaFile> => (m ??= await loadMediaFile(join(MEDIA, file)));

  it('finds an H.264 video track and a 48 kHz stereo audio track', async () => {
    const { tracks } = await load();
    expect(tracks.map((t) => [t.id, t.kind, t.codec, t.payloadType])).toEqual([
      [0, 'video', 'H264', 96],
      [1, 'audio', audio, 97],
    ]);
    const [v, a] = tracks as [(typeof tracks)[0], (typeof tracks)[0]];
    expect(v.clockRate).toBe(90000);
    expect([v.width, v.height]).toEqual([640, 360]);
    expect(a.clockRate).toBe(48000);
    expect(a.sampleRate).toBe(48000);
    expect(a.channels).toBe(2);
  });

  it('takes SPS/PPS as bare NAL units', async () => {
    const v = (await load()).tracks[0]!;
    expect(v.h264!.sps.length).toBeGreaterThan(0);
    expect(v.h264!.pps.length).toBeGreaterThan(0);
    expect(v.h264!.sps[0]![0]! & 0x1f).toBe(7);
    expect(v.h264!.pps[0]![0]! & 0x1f).toBe(8);
    expect(v.h264!.sps[0]![1]).toBe(100); // profile_idc: High
  });

  it(audio === 'AAC' ? 'has an AudioSpecificConfig for AAC-LC 48 kHz stereo' : 'carries no AAC config on an Opus track', async () => {
    const a = (await load()).tracks[1]!;
    if (audio === 'AAC') expect(parseAsc(a.aac!.asc)).toEqual({ aot: 2, rate: 48000, channels: 2 });
    else expect(a.aac).toBeUndefined();
  });

  it('has 600 video frames, a key frame every 60, and B-frames', async () => {
    const v = (await load()).units[0]!;
    expect(v.length).toBe(600);
    const keys = v.flatMap((u, i) => (u.key ? [i] : []));
    expect(keys).toEqual(Array.from({ length: 10 }, (_, k) => k * 60));
    for (let k = 1; k < keys.length; k++) {
      expect(Math.abs(v[keys[k]!]!.pts - v[keys[k - 1]!]!.pts - 180000)).toBeLessThanOrEqual(90);
    }
    expect(v.some((u) => u.pts !== u.dts)).toBe(true);
    for (let i = 0; i < v.length; i++) {
      expect(Number.isInteger(v[i]!.pts) && Number.isInteger(v[i]!.dts)).toBe(true);
      expect(v[i]!.dts).toBeLessThanOrEqual(v[i]!.pts);
      if (i > 0) expect(v[i]!.dts).toBeGreaterThanOrEqual(v[i - 1]!.dts);
      expect(Math.abs(v[i]!.duration - 3000)).toBeLessThanOrEqual(90);
    }
  });

  it('holds NAL units without start codes, length prefixes or AUDs', async () => {
    for (const u of (await load()).units[0]!) {
      expect(u.data.length).toBeGreaterThan(0);
      for (const nal of u.data) {
        expect(nal[0]! & 0x80).toBe(0); // forbidden_zero_bit
        const type = nal[0]! & 0x1f;
        expect(type >= 1 && type <= 12 && type !== 9).toBe(true);
        expect(nal[0] === 0 && nal[1] === 0).toBe(false);
      }
      const types = u.data.map((n) => n[0]! & 0x1f);
      expect(types.includes(5)).toBe(u.key);
    }
  });

  it('has contiguous audio frames, all key', async () => {
    const { tracks, units } = await load();
    const a = units[1]!;
    const frame = tracks[1]!.codec === 'AAC' ? 1024 : 960;
    // 20 s of frames; the priming frame ahead of npt 0 is dropped.
    expect(a.length).toBeGreaterThanOrEqual(Math.floor((20 * 48000) / frame) - 1);
    for (let i = 0; i < a.length; i++) {
      expect(a[i]!.key).toBe(true);
      expect(a[i]!.data.length).toBe(1);
      expect(a[i]!.pts).toBe(a[i]!.dts);
      expect(a[i]!.duration).toBe(frame);
      if (i > 0) expect(a[i]!.pts).toBe(a[i - 1]!.pts + frame);
    }
    if (tracks[1]!.codec === 'AAC') expect(a[0]!.data[0]![0]).not.toBe(0xff); // ADTS stripped
  });

  it('starts at 0, keeps audio and video on one time line, and lasts 20 s', async () => {
    const { units, duration, bytes } = await load();
    const v0 = units[0]![0]!.pts / 90000;
    const a0 = units[1]![0]!.pts / 48000;
    // npt 0 is the first key frame; audio before it (encoder priming) is dropped, so audio starts
    // within one frame after it (AAC 1024, Opus 960 samples).
    expect(v0).toBe(0);
    expect(units[0]![0]!.key).toBe(true);
    expect(a0).toBeGreaterThanOrEqual(0);
    expect(a0).toBeLessThan(audio === 'AAC' ? 1024 / 48000 : 960 / 48000);
    expect(duration).toBeGreaterThan(19.9);
    expect(duration).toBeLessThan(20.1);
    let sum = 0;
    for (const list of units) for (const u of list) for (const d of u.data) sum += d.byteLength;
    expect(bytes).toBe(sum);
  });
});

describe('loadMediaFile errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidecast-demux-'));

  it('rejects a file that is not media', async () => {
    const p = join(dir, 'junk.mp4');
    writeFileSync(p, 'not a media file at all, just some text '.repeat(10));
    await expect(loadMediaFile(p)).rejects.toThrow(/not a media file/);
  });

  it('names the codecs found when none is supported', async () => {
    const p = join(dir, 'flac.mkv');
    execFileSync(resolveFfmpeg(), ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=d=0.5', '-c:a', 'flac', p]);
    await expect(loadMediaFile(p)).rejects.toThrow(/no supported track; found flac \(audio\); supported are H\.264/);
  });

  it('names the codec of a bundled clip it cannot read, not a truncation (M-JPEG in Matroska)', async () => {
    // The container's duration is 3 s; no track is read, so there is nothing to call it short of.
    await expect(loadMediaFile(join(MEDIA, 'sample-mjpeg.mkv'))).rejects.toThrow(/no supported track; found .*\(video\); supported are H\.264/);
  });

  it('stops when the byte budget is exceeded', async () => {
    await expect(loadMediaFile(join(MEDIA, 'sample.mp4'), { maxBytes: 100_000 })).rejects.toThrow(/exceed/);
  });
});

describe('splitAnnexB', () => {
  it('splits 3- and 4-byte start codes and drops trailing zeros', () => {
    const d = new Uint8Array([0, 0, 0, 1, 9, 0xf0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 0, 1, 0x68, 3]);
    expect(splitAnnexB(d).map((n) => [...n])).toEqual([[9, 0xf0], [0x67, 1, 2], [0x68, 3]]);
  });
});
