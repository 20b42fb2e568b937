// Runs the built `tidecast serve --config <file>` (dist/) as a child process, as a user does, and reads its JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from './read.js';
import { MEDIA_DIR } from './server.js';

const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/server/cli.js');

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export class CliServer {
  readonly lines: LogLine[] = [];
  rtspPort = 0;
  httpPort = 0;
  private stderr = '';

  private constructor(
    readonly p: ChildProcess,
    readonly configFile: string,
    readonly rtpPort: number,
  ) {
    let buf = '';
    p.stdout!.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const text = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          if (this.lines.length < 10_000) this.lines.push(JSON.parse(text) as LogLine);
        } catch {
          /* not a JSON line */
        }
      }
    });
    p.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString('utf8')).slice(-8000)));
  }

  /**
   * Starts the server on `configFile` with a random even RTP port (retried while one is taken) and
   * waits for its start-up line, which names the ports it bound.
   */
  static async start(configFile: string, extraArgs: string[] = []): Promise<CliServer> {
    for (let attempt = 0; ; attempt++) {
      const rtpPort = 40000 + 2 * Math.floor(Math.random() * 5000);
      const p = spawn(process.execPath, [CLI, 'serve', '--config', configFile, '--rtp-port', String(rtpPort), '--media', MEDIA_DIR, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
      const s = new CliServer(p, configFile, rtpPort);
      try {
        const line = await s.waitLog((l) => typeof l.rtspPort === 'number' && typeof l.httpPort === 'number', 60_000, 'the start-up line');
        s.rtspPort = line.rtspPort as number;
        s.httpPort = line.httpPort as number;
        return s;
      } catch (e) {
        await s.stop();
        if (attempt >= 10 || !/EADDRINUSE/.test(s.stderr)) throw e;
      }
    }
  }

  get alive(): boolean {
    return this.p.exitCode === null && this.p.signalCode === null;
  }

  url(path: string): string {
    return `rtsp://127.0.0.1:${this.rtspPort}/${path}`;
  }

  httpUrl(path: string): string {
    return `http://127.0.0.1:${this.httpPort}/${path}`;
  }

  /** The first log line from index `from` on that matches; throws with the log's tail after `ms`. */
  async waitLog(pred: (l: LogLine) => boolean, ms: number, what: string, from = 0): Promise<LogLine> {
    let found: LogLine | undefined;
    await waitFor(() => {
      if (!this.alive && !found) throw new Error(`tidecast exited (${this.p.exitCode ?? this.p.signalCode}) while waiting for ${what}: ${this.stderr}\n${this.tail()}`);
      found = this.lines.slice(from).find(pred);
      return found !== undefined;
    }, ms, `${what}; log:\n${this.tail()}`, 50).catch((e: Error) => {
      throw new Error(`${e.message}\n${this.tail()}`);
    });
    return found!;
  }

  tail(n = 15): string {
    return this.lines.slice(-n).map((l) => `${l.level} ${l.msg}`).join('\n') + (this.stderr ? `\nstderr: ${this.stderr}` : '');
  }

  /** SIGTERM, then waits until the process is gone. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((r) => this.p.once('exit', r));
    this.p.kill('SIGTERM');
    await exited;
  }
}

/** A temporary directory for a config file; `cleanup` removes it. */
export function configDir(): { dir: string; file: string; write(text: string): void; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tidecast-reload-'));
  const file = join(dir, 'tidecast.yml');
  return { dir, file, write: (text) => writeFileSync(file, text), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
