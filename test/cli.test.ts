// The `tidecast` command as a user runs it: start-up line, --help, bad flags, and SIGTERM with BYE.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSession } from '../server/rtsp/headers/session.js';
import { parseRtcpCompound } from '../server/rtp/rtcp.js';
import { waitFor } from './helpers/read.js';
import { RawRtspClient, udpReceiver } from './helpers/rtsp-client.js';
import { MEDIA_DIR } from './helpers/server.js';

const ROOT = resolve(import.meta.dirname, '..');
const cli = (args: string[]): ChildProcess =>
  spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });

function waitForLine(p: ChildProcess, re: RegExp, ms = 60_000): Promise<string> {
  return new Promise((res, rej) => {
    let buf = '';
    let err = '';
    const t = setTimeout(() => rej(new Error(`no line matching ${re} in: ${buf}${err}`)), ms);
    p.stderr!.on('data', (d) => (err += d));
    // A server that cannot start exits: say why at once instead of waiting for the timeout.
    p.once('exit', (code) => {
      clearTimeout(t);
      rej(new Error(`tidecast exited (${code}) before printing ${re}: ${buf}${err}`));
    });
    p.stdout!.on('data', (d) => {
      buf += d;
      const line = buf.split('\n').find((l) => re.test(l));
      if (line) {
        clearTimeout(t);
        res(line);
      }
    });
  });
}

/** Stops the CLI and waits for it to be gone (at once if it already exited). */
async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await exited;
}

/** What a test started: stopped or closed after it, passed or failed. */
const started: ChildProcess[] = [];
const opened: { close(): void }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) o.close();
  await Promise.all(started.splice(0).map(stop));
});

/**
 * `tidecast serve` with `args` and a random even RTP port, until its start-up line: a port another
 * process holds meanwhile (the server then exits saying EADDRINUSE) is retried with another one.
 */
async function serve(args: string[]): Promise<{ p: ChildProcess; line: string; rtpPort: number }> {
  for (let attempt = 0; ; attempt++) {
    const rtpPort = 40000 + 2 * Math.floor(Math.random() * 5000);
    const p = cli(['serve', ...args, '--rtp-port', String(rtpPort), '--media', MEDIA_DIR]);
    started.push(p);
    try {
      return { p, line: await waitForLine(p, /RTSP on port/), rtpPort };
    } catch (e) {
      if (attempt >= 10 || !/EADDRINUSE/.test((e as Error).message)) throw e;
    }
  }
}

describe('tidecast serve', () => {
  it('prints its flags in --help', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'serve', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    for (const f of ['--rtsp-port', '--http-port', '--rtp-port', '--media', '--config']) expect(r.stdout).toContain(f);
  });

  it('refuses an odd RTP port with a readable message', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'serve', '--rtp-port', '9001'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/rtpPort must be even/);
  });

  it('says which RTSP port it took, and on SIGTERM sends BYE and exits 0', async () => {
    // Ports 0: the kernel picks free ones, and the start-up line must name them.
    const { p, line } = await serve(['--rtsp-port', '0', '--http-port', '0']);
    const m = /^HTTP on port (\d+); RTSP on port (\d+): try ffplay rtsp:\/\/localhost:(\d+)\//.exec(JSON.parse(line).msg);
    expect(m, line).not.toBeNull();
    const [httpPort, rtspPort] = [Number(m![1]), Number(m![2])];
    expect(Number(m![3])).toBe(rtspPort);
    const notFound = await fetch(`http://127.0.0.1:${httpPort}/no/such/thing`);
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('access-control-allow-origin')).toBe('*');
    expect(((await notFound.json()) as { error: string }).error).toMatch(/nothing at \/no\/such\/thing/);
    const c = await RawRtspClient.open(rtspPort);
    opened.push(c);
    const rx = await udpReceiver();
    opened.push(rx);
    const s = await c.request('SETUP', `rtsp://127.0.0.1:${rtspPort}/sample.mp4/trackID=1`, { Transport: `RTP/AVP;unicast;client_port=${rx.rtpPort}-${rx.rtcpPort}` });
    const id = parseSession(s.headers.get('Session')!).id;
    await c.request('PLAY', `rtsp://127.0.0.1:${rtspPort}/sample.mp4`, { Session: id });
    await waitFor(() => rx.rtp.length > 5, 30_000, 'RTP from the CLI server');
    const exited = new Promise<number | null>((r) => p.on('exit', r));
    p.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The BYE left before the exit; the client's socket may tell it after the exit event.
    await waitFor(() => rx.rtcp.flatMap((r) => parseRtcpCompound(r.data)).some((x) => x.type === 'bye'), 20_000, 'RTCP BYE on SIGTERM');
    await waitFor(() => c.closed, 20_000, 'the RTSP connection to close');
  }, 120_000);

  it('falls back to 8554 when 554 cannot be bound, and says so', async () => {
    // As root 554 binds; hold it first so the fallback path is what runs.
    const { createServer } = await import('node:net');
    const holder = createServer();
    const held = await new Promise<boolean>((r) => {
      holder.once('error', () => r(false));
      holder.listen(554, '0.0.0.0', () => r(true));
    });
    try {
      const { line } = await serve(['--http-port', '0']);
      // Whether we hold 554 or someone else does, or we lack root: each means the fallback.
      expect(JSON.parse(line).msg).toMatch(/^HTTP on port \d+; RTSP on port 8554 \(554 needs root or is taken, so 8554\)/);
    } finally {
      if (held) holder.close();
    }
  }, 120_000);
});
