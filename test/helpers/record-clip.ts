// Makes a short recording for playback tests: ffmpeg publishes the first seconds of media/sample.mp4 (in real time) to a
// path the server records, and the test gets the recorded span once the recorder has closed its last segment.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { waitFor } from './read.js';
import { MEDIA_DIR, type TestServer } from './server.js';
import { run } from './spawn.js';

export interface RecordedSpan {
  /** RFC 3339, as GET /api/v1/recordings/<path> lists it. */
  start: string;
  end: string;
  duration: number;
}

/** `seconds` of sample.mp4 cut (at its 2 s key frames) into `dir`/clip-<seconds>.mp4; the file's path. */
export async function cutSample(dir: string, seconds: number): Promise<string> {
  const clip = join(dir, `clip-${seconds}.mp4`);
  const r = await run(resolveFfmpeg(), ['-v', 'error', '-y', '-i', `${MEDIA_DIR}/sample.mp4`, '-t', String(seconds), '-c', 'copy', clip], { timeoutMs: 30_000 });
  expect(r.code, r.stderr).toBe(0);
  return clip;
}

/**
 * Publishes `clip` once to `path` (which must record), waits for the publisher to finish and the recorder to stop, and
 * returns the path's one recorded span. `apiHeaders` add credentials to the API request when the server has users.
 */
export async function recordClip(srv: TestServer, path: string, clip: string, apiHeaders: Record<string, string> = {}): Promise<RecordedSpan> {
  const args = ['-v', 'error', '-re', '-i', clip, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url(path)];
  const pub = spawn(resolveFfmpeg(), args, { stdio: 'ignore' });
  try {
    const exited = new Promise<number | null>((res) => pub.on('exit', res));
    const recording = (): boolean => srv.paths.clients.list().some((c) => c.protocol === 'recording' && c.path === path);
    await waitFor(recording, 20_000, 'the recorder');
    expect(await exited).toBe(0);
    await waitFor(() => !recording(), 20_000, 'the recorder to stop');
  } finally {
    pub.kill('SIGKILL');
  }
  const list = (await (await fetch(srv.httpUrl(`api/v1/recordings/${path}`), { headers: apiHeaders })).json()) as { spans: RecordedSpan[] };
  expect(list.spans).toHaveLength(1);
  return list.spans[0]!;
}
