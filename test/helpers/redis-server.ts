// A real redis-server (Debian's) on a free loopback port for one test file or bench: no persistence, its own temp dir, killed by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startOnce(port: number, dir: string): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'notice'];
  const p = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`redis-server did not start in 20 s: ${out}`));
    }, 20_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (/Ready to accept connections/i.test(out)) {
        clearTimeout(t);
        resolve();
      }
    };
    p.stdout!.on('data', onData);
    p.stderr!.on('data', onData);
    p.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`redis-server exited with ${code}: ${out}`));
    });
  });
  return p;
}

/** `fixedPort`: that port only (a test that points a server at it before Redis runs). */
export async function startRedis(fixedPort?: number): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tc-redis-'));
  let lastErr: unknown;
  for (let attempt = 0; attempt < (fixedPort ? 1 : 5); attempt++) {
    const port = fixedPort ?? (await freePort());
    try {
      const p = await startOnce(port, dir);
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        stop: () =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve(rmSync(dir, { recursive: true, force: true }));
            p.once('exit', () => resolve(rmSync(dir, { recursive: true, force: true })));
            p.kill('SIGKILL');
          }),
      };
    } catch (e) {
      lastErr = e;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastErr;
}
