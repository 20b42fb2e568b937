// A clip of two segments written the recorder's way, laid out as one progressive MP4: ffprobe reads the tables back
// (every unit once, presented from 0, key flags, audio beside video), and each packet's bytes are the unit's bytes in
// the segment files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { buildClip } from '../../server/record/read/clip.js';
import { ClipFiles } from '../../server/record/read/clip-data.js';
import { clipMp4 } from '../../server/record/read/clip-mp4.js';
import { indexSegment } from '../../server/record/read/segment-index.js';
import { AUDIO, units, VIDEO, writeSegment } from '../helpers/recorded-segments.js';
import { describeRun, run } from '../helpers/spawn.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});
const path = (name: string): string => join((dir ??= mkdtempSync(join(tmpdir(), 'tidecast-clip-mp4-'))), name);
const W0 = Date.parse('2026-12-03T22:10:00Z');

interface Packet {
  stream_index: number;
  pts_time: string;
  size: string;
  pos: string;
  flags: string;
}

describe('clip as progressive MP4', () => {
  it('holds every unit once, presents from 0 and copies the bytes of the segment files', async () => {
    const a = path('a.mp4');
    const b = path('b.mp4');
    writeSegment(a, [VIDEO, AUDIO], units(0, 3), W0, 0.5);
    writeSegment(b, [VIDEO, AUDIO], units(3, 3), W0, 0.5 - 3);
    const segments = [
      { file: a, startMs: W0, duration: 3 },
      { file: b, startMs: W0 + 3000, duration: 3 },
    ];
    const clip = (await buildClip({ segments, startMs: W0 + 1500, duration: 3, joinGapMs: 1100 }, indexSegment))!;
    expect(clip.files).toHaveLength(2);
    const layout = clipMp4(clip);
    const body = Buffer.concat([layout.head, ...layout.pieces.map((p) => readFileSync(p.file).subarray(p.offset, p.offset + p.size))]);
    expect(body.length).toBe(layout.length);
    const out = path('clip.mp4');
    writeFileSync(out, body);
    const args = ['-v', 'error', '-of', 'json', '-show_packets', '-show_entries', 'packet=stream_index,pts_time,size,pos,flags', out];
    const r = await run(resolveFfprobe(), args, { timeoutMs: 20_000 });
    expect(r.code, describeRun('ffprobe', args, r)).toBe(0);
    const packets = (JSON.parse(r.stdout) as { packets: Packet[] }).packets;
    const video = packets.filter((p) => p.stream_index === 0);
    const audio = packets.filter((p) => p.stream_index === 1);
    expect(video).toHaveLength(clip.units[0]!.length);
    expect(audio).toHaveLength(clip.units[1]!.length);
    expect(video.map((p) => Math.round(Number(p.pts_time) * 30))).toEqual(Array.from({ length: 90 }, (_, i) => i));
    expect(video.flatMap((p, i) => (p.flags.startsWith('K') ? [i] : []))).toEqual([0, 30, 60]);
    expect(Math.abs(Number(audio[0]!.pts_time))).toBeLessThan(1024 / 48000);
    // Packets are the units' bytes.
    const files = new ClipFiles();
    try {
      const want = await files.bytes(clip.units[0]!);
      video.forEach((p, i) => expect(Buffer.from(body.subarray(Number(p.pos), Number(p.pos) + Number(p.size))).equals(Buffer.from(want[i]!))).toBe(true));
    } finally {
      await files.close();
    }
  });
});
