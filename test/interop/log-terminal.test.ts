// `tidecast serve` as an operator sees it: readable lines on a terminal (a pseudo-terminal from util-linux `script`), JSON lines through a pipe, and --log-format json on a terminal.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MEDIA_DIR } from '../helpers/server.js';
import { run } from '../helpers/spawn.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** A text line: local time, a three-letter level, the component. */
const TEXT_LINE = /^\d\d:\d\d:\d\d (TRC|DBG|INF|WRN|ERR|FTL) \[[A-Z]+\] /;
const ANSI = /\u001b\[[0-9;]*m/g;

interface Served {
  p: ChildProcess;
  /** What the server wrote so far, line by line (ANSI colours kept). */
  lines: () => string[];
  /** Resolves with the first line matching `re` (colours stripped before matching); rejects at the deadline or if the process exits. */
  waitLine(re: RegExp, ms?: number): Promise<string>;
}

const started: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map(kill));
});

/** The process and everything under it (script -> node), SIGKILLed, waited for. */
async function kill(p: ChildProcess): Promise<void> {
  const tree = descendants(p.pid!);
  for (const pid of tree) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  if (p.exitCode === null && p.signalCode === null) {
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }
}

function descendants(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

const serveArgs = (extra: string[]): string[] => {
  const rtpPort = 40000 + 2 * Math.floor(Math.random() * 5000);
  return ['--import', 'tsx', 'server/cli.ts', 'serve', '--rtsp-port', '0', '--http-port', '0', '--rtp-port', String(rtpPort), '--media', MEDIA_DIR, ...extra];
};

/** `tidecast serve` under a pseudo-terminal (`tty`) or with stdout piped; stdin stays open so Ctrl-C can be typed. */
function serve(tty: boolean, extra: string[] = [], env: Record<string, string> = {}): Served {
  const args = serveArgs(extra);
  const cmd = [process.execPath, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const p = tty
    ? spawn('script', ['-qfec', `exec ${cmd}`, '/dev/null'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } })
    : spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  started.push(p);
  let out = '';
  let err = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  p.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const lines = (): string[] => out.split(/\r?\n/).filter((l) => l !== '');
  const waitLine = (re: RegExp, ms = 60_000): Promise<string> =>
    new Promise((res, rej) => {
      const check = (): boolean => {
        const l = lines().find((x) => re.test(x.replace(ANSI, '')));
        if (l === undefined) return false;
        done();
        res(l);
        return true;
      };
      const onExit = (): void => {
        if (check()) return;
        done();
        rej(new Error(`the server exited before a line matching ${re}:\n${out}${err}`));
      };
      const t = setTimeout(() => {
        done();
        rej(new Error(`no line matching ${re} within ${ms} ms:\n${out}${err}`));
      }, ms);
      const done = (): void => {
        clearTimeout(t);
        p.stdout!.off('data', check);
        p.off('exit', onExit);
      };
      p.stdout!.on('data', check);
      p.once('exit', onExit);
      check();
    });
  return { p, lines, waitLine };
}

/** `serve` until its start-up line: an RTP port another process took meanwhile (EADDRINUSE) is retried with another. */
async function serveUp(tty: boolean, extra: string[] = [], env: Record<string, string> = {}): Promise<{ s: Served; start: string }> {
  for (let attempt = 0; ; attempt++) {
    const s = serve(tty, extra, env);
    try {
      return { s, start: await s.waitLine(/RTSP on port \d+/) };
    } catch (e) {
      if (attempt >= 10 || !/EADDRINUSE/.test((e as Error).message)) throw e;
    }
  }
}

/** The RTSP port from the start-up line, in either form. */
function rtspPortOf(line: string): number {
  const msg = line.startsWith('{') ? (JSON.parse(line) as { msg: string }).msg : line.replace(ANSI, '');
  return Number(/RTSP on port (\d+)/.exec(msg)![1]);
}

/** A real client asks for a path that does not exist. */
async function describeMissing(rtspPort: number): Promise<void> {
  const r = await run('ffprobe', ['-v', 'error', '-rtsp_transport', 'tcp', `rtsp://127.0.0.1:${rtspPort}/no/such/path`], { timeoutMs: 30_000 });
  expect(r.code).not.toBe(0);
}

describe('log lines', () => {
  it('on a terminal: readable, coloured lines that say who asked for what and why it failed; Ctrl-C is logged', async () => {
    const { s, start } = await serveUp(true);
    expect(start).toContain('\u001b['); // a terminal without NO_COLOR gets colours
    await describeMissing(rtspPortOf(start));
    const refused = await s.waitLine(/ WRN \[RTSP\] DESCRIBE \/no\/such\/path refused with 404 for 127\.0\.0\.1:\d+: /);
    expect(refused.replace(ANSI, '')).toMatch(/^\d\d:\d\d:\d\d WRN \[RTSP\] DESCRIBE \/no\/such\/path refused with 404 for 127\.0\.0\.1:\d+: \S.*/);
    s.p.stdin!.write('\u0003'); // Ctrl-C on the terminal
    await s.waitLine(/ INF \[MAIN\] SIGINT: shutting down/);
    // The terminal echoes the keystroke as ^C before the server's next line.
    const lines = s.lines().map((l) => l.replace(ANSI, '').replace(/^\^C/, ''));
    for (const l of lines) {
      expect(() => JSON.parse(l), l).toThrow();
      expect(l, l).toMatch(TEXT_LINE);
    }
    expect(lines.filter((l) => / \[MAIN\] /.test(l)).length).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('on a terminal with NO_COLOR: the same lines without colours', async () => {
    const { s } = await serveUp(true, [], { NO_COLOR: '1' });
    const lines = s.lines();
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      expect(l).not.toContain('\u001b');
      expect(l).toMatch(TEXT_LINE);
    }
  }, 120_000);

  it('through a pipe: JSON lines with level, time, msg and component, the refusal with its fields', async () => {
    const { s, start } = await serveUp(false);
    await describeMissing(rtspPortOf(start));
    const refused = JSON.parse(await s.waitLine(/"msg":"RTSP DESCRIBE \/no\/such\/path refused with 404/)) as Record<string, unknown>;
    expect(refused).toMatchObject({ level: 40, component: 'RTSP', path: '/no/such/path', method: 'DESCRIBE', status: 404 });
    expect(refused.client).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(typeof refused.reason).toBe('string');
    for (const l of s.lines()) {
      const o = JSON.parse(l) as Record<string, unknown>;
      expect(typeof o.level).toBe('number');
      expect(typeof o.time).toBe('number');
      expect(typeof o.msg).toBe('string');
      expect(typeof o.component).toBe('string');
    }
  }, 120_000);

  it('--log-format json on a terminal: JSON lines', async () => {
    const { s } = await serveUp(true, ['--log-format', 'json']);
    await s.waitLine(/"msg":"serving /);
    const lines = s.lines();
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect((JSON.parse(l) as { component: string }).component).toMatch(/^[A-Z]+$/);
  }, 120_000);
});
