// The servers under test as child processes: Tidecast (built JS) and the gst-rtsp-server peer.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { freeRtpPair, freeTcpPort, waitForTcp } from './net.js';

export const ROOT = resolve(import.meta.dirname, '../..');
/** BENCH_CLI=/path/to/dist/server/cli.js measures another build (e.g. a pinned commit) with this bench. */
export const CLI = resolve(process.env.BENCH_CLI ?? resolve(ROOT, 'dist/server/cli.js'));
export const GST_PEER = resolve(ROOT, 'bench/peers/gst-rtsp-server.py');
/** Per-address limits lifted: every load reader comes from 127.0.0.1 (see the file). */
export const LOAD_LIMITS = resolve(ROOT, 'bench/lib/load-limits.yaml');
export const PYTHON = process.env.BENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

export type ServerKind = 'tidecast' | 'gst';

export const GST_INSTALL_HINT = '`apt-get install -y python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good gstreamer1.0-plugins-bad`';

export function gstAvailable(): { ok: boolean; why?: string; version?: string } {
  const py = spawnSync(PYTHON, ['-c', "import gi; gi.require_version('Gst','1.0'); gi.require_version('GstRtspServer','1.0'); from gi.repository import Gst, GstRtspServer; Gst.init(None); print(Gst.version_string())"], {
    encoding: 'utf8',
  });
  if (py.status !== 0) return { ok: false, why: `${PYTHON} cannot load GstRtspServer (${(py.stderr || String(py.error ?? '')).trim().split('\n').pop()})` };
  for (const el of ['qtdemux', 'h264parse', 'aacparse', 'rtph264pay', 'rtpmp4gpay']) {
    const r = spawnSync('gst-inspect-1.0', [el], { stdio: 'ignore' });
    if (r.status !== 0) return { ok: false, why: `GStreamer element ${el} missing` };
  }
  return { ok: true, version: py.stdout.trim() };
}

export interface Started {
  child: ChildProcess;
  port: number;
  stderr: () => string;
}

function capture(child: ChildProcess): () => string {
  let err = '';
  child.stderr!.on('data', (b: Buffer) => {
    if (err.length < 20000) err += b.toString();
  });
  return () => err;
}

/**
 * `node dist/server/cli.js serve` on free ports, serving media/, once its RTSP port listens.
 * `inheritStderr`: the server writes to this process's stderr (then `stderr()` is empty).
 */
/**
 * Node's flags for the server: those `npm start` gives it (package.json), so the benchmark runs the
 * server as a user does; BENCH_SERVER_NODE_FLAGS (space-separated, may be empty) overrides them.
 */
export const SERVER_NODE_FLAGS: string[] = (() => {
  const env = process.env.BENCH_SERVER_NODE_FLAGS;
  if (env !== undefined) return env.split(/\s+/).filter(Boolean);
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const words = (pkg.scripts?.start ?? '').split(/\s+/);
  return words[0] === 'node' ? words.slice(1).filter((w, i, all) => w.startsWith('--') && all.slice(0, i).every((x) => x.startsWith('--'))) : [];
})();

export async function startTidecast(opts: { inheritStderr?: boolean; tls?: { cert: string; key: string } } = {}): Promise<Started & { httpPort: number; rtspsPort?: number }> {
  const port = await freeTcpPort();
  const rtp = await freeRtpPair();
  const http = await freeTcpPort();
  const rtsps = opts.tls ? await freeTcpPort() : undefined;
  const https = opts.tls ? await freeTcpPort() : undefined;
  const tlsArgs = opts.tls ? ['--server-cert', opts.tls.cert, '--server-key', opts.tls.key, '--rtsps-port', String(rtsps), '--https-port', String(https)] : [];
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, CLI, 'serve', '--rtsp-port', String(port), '--http-port', String(http), '--rtp-port', String(rtp), ...tlsArgs, '--log-level', 'warn', '--media', 'media', '--config', LOAD_LIMITS], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', opts.inheritStderr ? 'inherit' : 'pipe'],
  });
  const stderr = opts.inheritStderr ? () => '' : capture(child);
  await waitForTcp(port, child, 15000).catch(async (e: unknown) => {
    await stopProcess(child);
    throw e;
  });
  if (rtsps !== undefined) await waitForTcp(rtsps, child, 15000);
  return { child, port, httpPort: http, stderr, ...(rtsps !== undefined ? { rtspsPort: rtsps } : {}) };
}

/** bench/peers/gst-rtsp-server.py serving `file` at `mount`; `shared`: one pipeline for every reader. */
export async function startGst(opts: { file: string; mount?: string; shared?: boolean }): Promise<Started> {
  const port = await freeTcpPort();
  const args = [GST_PEER, '--port', String(port), '--file', opts.file];
  if (opts.mount) args.push('--mount', opts.mount);
  if (opts.shared) args.push('--shared');
  const child = spawn(PYTHON, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = capture(child);
  await waitForTcp(port, child, 15000);
  return { child, port, stderr };
}

/** SIGTERM, then SIGKILL after 5 s. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}
