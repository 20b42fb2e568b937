// kill -9 of a recording server: the segment it was writing still plays (ffprobe decodes it without errors) and
// holds the media up to about one part before the kill. The server runs as a child process (tsx on the sources).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { segmentInfo } from '../../server/record/segment-info.js';
import { waitFor } from '../helpers/read.js';
import { MEDIA_DIR } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

const ROOT = resolve(import.meta.dirname, '../..');
const children: ChildProcess[] = [];
let dir: string | undefined;

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The server as a child process; resolves with its ports from the start-up log line. */
async function startChild(configFile: string): Promise<{ p: ChildProcess; rtspPort: number; exited: Promise<unknown> }> {
  const rtpPort = 40000 + 2 * Math.floor(Math.random() * 5000);
  const args = ['--import', 'tsx', join(ROOT, 'server/cli.ts'), 'serve', '--config', configFile, '--rtp-port', String(rtpPort), '--log-format', 'json'];
  const p = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(p);
  const exited = new Promise((res) => p.on('exit', res));
  const rtspPort = await new Promise<number>((res, rej) => {
    let buf = '';
    p.stdout!.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const j = JSON.parse(line) as { rtspPort?: unknown };
          if (typeof j.rtspPort === 'number') res(j.rtspPort);
        } catch {
          /* not JSON */
        }
      }
    });
    void exited.then(() => rej(new Error('the server exited before it started')));
  });
  return { p, rtspPort, exited };
}

it('kill -9 mid-recording leaves a segment ffprobe decodes, with every part synced before the kill', async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidecast-reckill-'));
  const config = join(dir, 'config.yml');
  writeFileSync(config, JSON.stringify({ rtspPort: 0, httpPort: 0, host: '127.0.0.1', mediaDir: MEDIA_DIR, recordPath: `${dir}/rec/%path/%Y%m%d-%H%M%S-%f`, recordPartDuration: '500ms', paths: { cam: { record: true } } }));
  const srv = await startChild(config);
  const pub = spawn(resolveFfmpeg(), ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', `rtsp://127.0.0.1:${srv.rtspPort}/cam`], { stdio: 'ignore' });
  children.push(pub);
  const camDir = join(dir, 'rec/cam');
  const file = (): string | undefined => {
    try {
      const n = readdirSync(camDir).find((x) => x.endsWith('.mp4'));
      return n && join(camDir, n);
    } catch {
      return undefined;
    }
  };
  // Wait until more than two seconds of media are on disk (read from the file's own boxes).
  let before = 0;
  await waitFor(async () => {
    const f = file();
    before = f !== undefined ? ((await segmentInfo(f).catch(() => undefined))?.duration ?? 0) : 0;
    return before > 2;
  }, 30_000, 'two seconds recorded');
  srv.p.kill('SIGKILL');
  const killedAt = Date.now();
  await srv.exited;
  const f = file()!;
  const args = ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', f];
  const r = await run(resolveFfprobe(), args, { timeoutMs: 30_000 });
  expect(r.code, describeRun('ffprobe', args, r)).toBe(0);
  expect(r.stderr.trim()).toBe('');
  expect(Number(r.stdout.trim())).toBeGreaterThan(60);
  const info = (await segmentInfo(f))!;
  // Every part that was on disk before the kill is still there and whole: each part is synced
  // before the next is written, so the kill costs at most the part in progress. How much wall time
  // that was depends on the machine's load, so it is printed, not held to a bound.
  expect(info.duration).toBeGreaterThanOrEqual(before);
  console.log(`kill -9: ${info.duration.toFixed(2)} s recorded; ${((killedAt - (info.startMs + info.duration * 1000)) / 1000).toFixed(2)} s of wall time after the last complete part`);
}, 45_000);
