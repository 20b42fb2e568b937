// ffmpeg sources: the built-in testsrc plays (H.264 + AAC), its ffmpeg starts with the first reader, is reaped
// after the last leaves, restarts after a crash, and no child outlives the server.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnDemandSource } from '../../server/core/on-demand.js';
import type { FfmpegSource } from '../../server/sources/process/ffmpeg-source.js';
import { readFor, waitFor } from '../helpers/read.js';
import { sleep } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';
import { resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';

let srv: TestServer;
let src: OnDemandSource;
const ffmpegOf = (s: OnDemandSource): FfmpegSource => s.driver as FfmpegSource;

/** The process state letter from /proc/<pid>/stat (R, S, Z...), or undefined when the pid is gone. */
function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** Pids of the ffmpeg children of `ppid`, from /proc. */
function ffmpegChildren(ppid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppidOf = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppidOf === ppid && comm.startsWith('ffmpeg')) out.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

beforeAll(async () => {
  // The built-in testsrc, with a 1 s close-after so the idle stop is quick to see.
  srv = await startTestServer({ paths: { testsrc: { sourceOnDemandCloseAfter: 1 } } });
  src = srv.paths.sourceOf('testsrc')!;
});
afterAll(async () => {
  await srv?.close();
});

describe('ffmpeg source: testsrc', () => {
  it('is not running before the first reader', () => {
    expect(src.isRunning).toBe(false);
    expect(ffmpegOf(src).pid).toBeUndefined();
  });

  it('plays in ffmpeg over TCP and UDP: H.264 + AAC, clean decode', async () => {
    const probeArgs = ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', srv.url('testsrc')];
    const p = await run(resolveFfprobe(), probeArgs, { timeoutMs: 20_000 });
    expect(p.code, describeRun('ffprobe', probeArgs, p)).toBe(0);
    expect(p.stdout.trim().split('\n')).toEqual(['h264,1280,720', 'aac']);
    const [t, u] = await Promise.all([readFor(srv.url('testsrc'), 'tcp', 3), readFor(srv.url('testsrc'), 'udp', 3)]);
    // TCP: 3 s of media (ffmpeg's -t counts media time), every frame clean.
    expect(t.r.stderr, describeRun('ffmpeg', t.args, t.r)).toBe('');
    expect(t.r.code, describeRun('ffmpeg', t.args, t.r)).toBe(0);
    expect(t.video, describeRun('ffmpeg', t.args, t.r)).toBeGreaterThanOrEqual(75); // 3 s at 30 fps
    expect(t.audio, describeRun('ffmpeg', t.args, t.r)).toBeGreaterThanOrEqual(100); // 3 s of 1024-sample AAC frames at 48 kHz is ~140
    // UDP: a datagram dropped by a loopback starved of CPU costs frames, so it is held to playing.
    expect(u.r.code, describeRun('ffmpeg', u.args, u.r)).toBe(0);
    expect(u.video, describeRun('ffmpeg', u.args, u.r)).toBeGreaterThan(0);
    expect(u.audio, describeRun('ffmpeg', u.args, u.r)).toBeGreaterThan(0);
  }, 120_000);

  // That it waits the whole close-after delay, not less, is test/core/on-demand.test.ts's (a simulated clock).
  it('starts ffmpeg on the first reader and reaps it after the last leaves', async () => {
    // Stopped and its child reaped (a stopping source's child lives on for a moment after SIGTERM).
    await waitFor(() => !src.isRunning && ffmpegOf(src).pid === undefined, 30_000, 'the source to stop after the previous test');
    const starts = ffmpegOf(src).starts;
    const reading = readFor(srv.url('testsrc'), 'tcp', 2);
    await waitFor(() => ffmpegOf(src).pid !== undefined, 30_000, 'ffmpeg to start');
    const pid = ffmpegOf(src).pid!;
    expect(ffmpegOf(src).starts).toBe(starts + 1);
    expect(procState(pid)).toMatch(/^[RSD]$/);
    const x = await reading;
    expect(x.r.code, describeRun('ffmpeg', x.args, x.r)).toBe(0);
    // Gone, not a zombie.
    await waitFor(() => procState(pid) === undefined, 30_000, `ffmpeg ${pid} to be gone (state ${procState(pid)})`);
    expect(src.isRunning).toBe(false);
  }, 120_000);

  it('restarts ffmpeg when it crashes (readers of the old stream end); no child outlives the server', async () => {
    // Always on: the source is wanted whether or not anyone reads, so the restart is not raced by the idle stop.
    const other = await startTestServer({ paths: { testsrc: { sourceOnDemand: false } } });
    try {
      const s = other.paths.sourceOf('testsrc')!;
      await waitFor(() => other.paths.livePath('testsrc').stream !== undefined, 30_000, 'the always-on testsrc to publish');
      const reader = readFor(other.url('testsrc'), 'tcp', 30);
      await sleep(1500);
      const pid = ffmpegOf(s).pid!;
      process.kill(pid, 'SIGKILL');
      await waitFor(() => procState(pid) === undefined, 30_000, `killed ffmpeg ${pid} to be reaped`);
      const ended = await reader;
      expect(ended.r.timedOut).toBe(false); // BYE / end of stream reached it
      await waitFor(() => ffmpegOf(s).pid !== undefined && ffmpegOf(s).pid !== pid, 30_000, 'a new ffmpeg');
      const x = await readFor(other.url('testsrc'), 'tcp', 2);
      expect(x.r.stderr, describeRun('ffmpeg', x.args, x.r)).toBe('');
      expect(x.video).toBeGreaterThanOrEqual(45);
      const last = ffmpegOf(s).pid!;
      expect(procState(last)).toBeDefined();
      await other.close();
      expect(procState(last)).toBeUndefined();
    } finally {
      await other.close();
    }
  }, 120_000);

  it('a SIGTERM to the server (tidecast serve) stops its ffmpeg children before it exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidecast-ffsrc-'));
    const cfg = join(dir, 'c.yml');
    const rtpPort = 20000 + 2 * Math.floor(Math.random() * 15000);
    writeFileSync(cfg, `rtspPort: 0\nrtpPort: ${rtpPort}\nhost: 127.0.0.1\nlogLevel: silent\npaths:\n  testsrc:\n    sourceOnDemand: false\n`);
    const root = resolve(import.meta.dirname, '../..');
    const server = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/cli.ts'), 'serve', '--config', cfg], { cwd: root, stdio: 'ignore' });
    const exited = new Promise<number | null>((ok) => server.once('exit', (code) => ok(code)));
    try {
      await waitFor(() => ffmpegChildren(server.pid!).length === 1, 60_000, 'the server to start its ffmpeg child');
      const [pid] = ffmpegChildren(server.pid!);
      await sleep(500);
      server.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(procState(pid!)).toBeUndefined();
    } finally {
      server.kill('SIGKILL');
    }
  }, 120_000);
});
