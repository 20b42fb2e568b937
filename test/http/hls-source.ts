// Live sources for the HLS tests: ffmpeg publishing the sample file in a loop, and polling a playlist until it is served.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { sleep } from '../helpers/rtsp-client.js';
import { MEDIA_DIR, type TestServer } from '../helpers/server.js';

export interface Publisher {
  child: ChildProcess;
  stderr(): string;
  stop(): void;
}

/** `ffmpeg -re -stream_loop -1 -i sample.mp4 -c copy [outputArgs] -f rtsp` (H.264 with B-frames + AAC, 2 s GOP) to `path`. */
export function publishSample(srv: TestServer, path: string, file = 'sample.mp4', outputArgs: string[] = []): Publisher {
  const args = ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/${file}`, '-c', 'copy', ...outputArgs, '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url(path)];
  const child = spawn(resolveFfmpeg(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return { child, stderr: () => err, stop: () => child.kill('SIGKILL') };
}

/** Fetches `url` until it answers 200 (the publisher is live and the first segment is complete); returns the body. */
export async function waitPlaylist(url: string, ms = 45_000): Promise<string> {
  const t0 = Date.now();
  let last = '';
  while (Date.now() - t0 < ms) {
    const r = await fetch(url).catch((e: Error) => ({ ok: false, status: 0, text: async () => e.message }));
    if (r.ok) return r.text();
    last = `${r.status} ${await r.text()}`;
    await sleep(250);
  }
  throw new Error(`${url} was not served within ${ms} ms; last answer: ${last}`);
}
