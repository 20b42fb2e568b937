// Real nginx for tests: docs/nginx-hls-cache.conf with its own temp prefix, cache dir, port and upstream; stopped by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from './read.js';

export const NGINX_HLS_CONF = resolve(import.meta.dirname, '../../docs/nginx-hls-cache.conf');

export interface Nginx {
  port: number;
  url(path: string): string;
  stop(): Promise<void>;
  errorLog(): string;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

/** The docs' config with the lines marked "test:" pointed at `dir` and the ports; throws if a line is missing. */
export function testConf(dir: string, port: number, upstreamPort: number): string {
  let text = readFileSync(NGINX_HLS_CONF, 'utf8');
  const swaps: [RegExp, string][] = [
    [/proxy_cache_path \/var\/cache\/nginx\/tidecast /, `proxy_cache_path ${join(dir, 'cache')} `],
    [/server 127\.0\.0\.1:8888;/, `server 127.0.0.1:${upstreamPort};`],
    [/listen 8080;/, `listen 127.0.0.1:${port};`],
  ];
  for (const [re, to] of swaps) {
    if (!re.test(text)) throw new Error(`${NGINX_HLS_CONF} no longer has ${re.source}`);
    text = text.replace(re, to);
  }
  return text;
}

/** Starts nginx in the foreground (`daemon off`) in front of 127.0.0.1:`upstreamPort`; waits until it answers. */
export async function startNginx(upstreamPort: number): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'tidecast-nginx-'));
  const port = await freePort();
  writeFileSync(join(dir, 'hls.conf'), testConf(dir, port, upstreamPort));
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${join(dir, t)};`).join(' ');
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      'daemon off;', 'user root;', 'worker_processes 1;', `pid ${join(dir, 'nginx.pid')};`, `error_log ${join(dir, 'error.log')} warn;`,
      'events { worker_connections 4096; }',
      `http { access_log off; ${temp} include ${join(dir, 'hls.conf')}; }`, '',
    ].join('\n'),
  );
  const p: ChildProcess = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  p.stderr!.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
  const errorLog = (): string => {
    try {
      return stderr + readFileSync(join(dir, 'error.log'), 'utf8').slice(-4000);
    } catch {
      return stderr;
    }
  };
  const stop = async (): Promise<void> => {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGTERM');
      await new Promise((ok) => p.once('exit', ok));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => {
      if (p.exitCode !== null) throw new Error(`nginx exited: ${errorLog()}`);
      return fetch(`http://127.0.0.1:${port}/api/v1/paths`).then((r) => r.status > 0, () => false);
    }, 20_000, 'nginx answering');
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, url: (path) => `http://127.0.0.1:${port}/${path}`, stop, errorLog };
}
