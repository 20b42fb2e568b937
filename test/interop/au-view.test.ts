// The access-unit view of a live path published by ffmpeg: the frames, timestamps and A/V alignment of the file it came from.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuReader, TimedUnit } from '../../server/core/au-view.js';
import type { AccessUnit } from '../../server/media/access-unit.js';
import type { Stream } from '../../server/core/stream.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { waitFor } from '../helpers/read.js';
import { sleep } from '../helpers/rtsp-client.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let pub: ChildProcess;

beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  pub?.kill('SIGKILL');
  await srv?.close();
});

async function liveStream(path: string): Promise<Stream> {
  let stream: Stream | undefined;
  await waitFor(
    async () => {
      const r = await srv.paths.resolve(path).catch(() => undefined);
      if (r?.kind === 'live') stream = r.stream;
      return stream !== undefined;
    },
    45_000,
    `/${path} to go live`,
  );
  return stream!;
}

/** The slice NAL units of a frame (what the encoder made; SEI/AUD/parameter sets may differ in transit). */
const slices = (au: AccessUnit): string =>
  Buffer.concat(au.data.filter((n) => [1, 5].includes(n[0]! & 0x1f))).toString('base64');

describe('access units of a live path', () => {
  it('match the published file: frames, key flags, pts steps, dts order and audio alignment', async () => {
    const path = 'live/au';
    pub = spawn(resolveFfmpeg(), ['-v', 'error', '-re', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url(path)], { stdio: 'ignore' });
    const stream = await liveStream(path);
    await sleep(2500); // join mid-stream: the backlog must start at a key frame
    const got: TimedUnit[] = [];
    let ended = '';
    const reader: AuReader = { deliverAu: (u) => got.push(u), end: (r) => (ended = r) };
    const backlog = stream.attachAu(reader);
    expect(stream.readerCount).toBe(1);
    // About 3 s of media beyond the backlog, however long the publisher takes to send it.
    await waitFor(() => got.filter((u) => u.trackId === 0).length >= 90 && got.filter((u) => u.trackId === 1).length >= 140, 60_000, '3 s of live access units');
    stream.detachAu(reader);
    expect(stream.readerCount).toBe(0);
    expect(ended).toBe('');
    const all = [...backlog, ...got];
    const video = all.filter((u) => u.trackId === 0);
    const audio = all.filter((u) => u.trackId === 1);
    expect(video.length).toBeGreaterThan(80);
    expect(audio.length).toBeGreaterThan(100);
    expect(video[0]!.au.key).toBe(true);
    expect(stream.tracks[0]!.h264!.sps.length).toBe(1);

    const file = await srv.paths.open('sample.mp4');
    const fv = file.units[0]!;
    const fa = file.units[1]!;
    const k = fv.findIndex((u) => slices(u) === slices(video[0]!.au));
    expect(k, 'the first live frame is a frame of the file').toBeGreaterThanOrEqual(0);
    for (let i = 0; i < video.length; i++) {
      const f = fv[k + i]!;
      const v = video[i]!.au;
      expect(slices(v)).toBe(slices(f));
      expect(v.key).toBe(f.key);
      expect(v.pts - video[0]!.au.pts).toBe(f.pts - fv[k]!.pts);
      expect(v.dts).toBeLessThanOrEqual(v.pts);
      if (i > 0) expect(v.dts).toBeGreaterThan(video[i - 1]!.au.dts);
    }
    // Audio against video on the shared timeline, as in the file (lip sync through ffmpeg's SRs).
    // The clip's audio repeats (a beep each second), so a frame is located by the run of 8 from it,
    // and of the places that run occurs the nearest one counts.
    const hex = (au: AccessUnit): string => Buffer.from(au.data[0]!).toString('hex');
    const fh = fa.map(hex);
    const lh = audio.map((u) => hex(u.au));
    let compared = 0;
    for (let i = 5; i < Math.min(60, lh.length - 8); i++) {
      const errors: number[] = [];
      for (let j = 0; j + 8 <= fh.length; j++) {
        let same = true;
        for (let n = 0; n < 8 && same; n++) same = fh[j + n] === lh[i + n];
        if (!same) continue;
        const live = audio[i]!.au.pts / 48000 - video[0]!.au.pts / 90000;
        const inFile = fa[j]!.pts / 48000 - fv[k]!.pts / 90000;
        errors.push(Math.abs(live - inFile) * 1000);
      }
      if (errors.length === 0) continue;
      expect(Math.min(...errors)).toBeLessThan(25);
      compared++;
    }
    expect(compared).toBeGreaterThan(20);
    // Wallclock advances with pts (for PROGRAM-DATE-TIME).
    const last = video[video.length - 1]!;
    expect(last.wallMs - video[0]!.wallMs).toBeCloseTo(((last.au.pts - video[0]!.au.pts) / 90000) * 1000, 0);
  }, 120_000);
});
