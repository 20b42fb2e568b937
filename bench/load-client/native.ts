// Loads the load client's native UDP receive addon (native/udp_sink.c), building it on first use
// with npm's own node-gyp and this node's headers (never the network). Undefined, with the reason
// printed, when it cannot be built or loaded: the load client then receives with dgram.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface UdpSinkLayout {
  ctlHeader: number;
  ctlStride: number;
  fHeader: number;
  fStride: number;
  maxSsrc: number;
  ssrc0: number;
  ssrcSize: number;
  batch: number;
}

export interface UdpSinkAddon {
  /** A non-blocking UDP socket bound to 127.0.0.1:port with SO_RCVBUF `rcvbuf`: its fd, or -errno. */
  bindUdp(port: number, rcvbuf: number): number;
  closeFd(fd: number): number;
  epollCreate(): number;
  /** Adds fd to the epoll set; its events carry `slot`. 0 or -errno. */
  epollAdd(epfd: number, fd: number, slot: number): number;
  /**
   * Blocks its (worker) thread until ctl[0] is set; then closes every slot's fd and epfd. Passes over
   * the ready sockets start coalesceMs apart.
   */
  receiveLoop(epfd: number, ctl: Int32Array, counters: Float64Array, coalesceMs: number): number;
  readonly layout: UdpSinkLayout;
}

export const NATIVE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'native');
export const ADDON_PATH = join(NATIVE_DIR, 'build/Release/udp_sink.node');

let cached: { addon?: UdpSinkAddon; reason?: string } | undefined;

/** The addon, or undefined after printing why (once per process). */
export function loadUdpSink(say: (m: string) => void = (m) => process.stderr.write(`load-client: ${m}\n`)): UdpSinkAddon | undefined {
  if (!cached) {
    cached = tryLoad();
    if (cached.reason) say(`native UDP receive unavailable, using dgram: ${cached.reason}`);
  }
  return cached.addon;
}

/** The addon, or why not; builds it first when it is not built. */
export function tryLoad(): { addon?: UdpSinkAddon; reason?: string } {
  if (process.platform !== 'linux') return { reason: `no recvmmsg/epoll on ${process.platform}` };
  if (!existsSync(ADDON_PATH)) {
    const why = build();
    if (why) return { reason: why };
  }
  try {
    const addon = createRequire(import.meta.url)(ADDON_PATH) as UdpSinkAddon;
    if (typeof addon.receiveLoop !== 'function' || typeof addon.bindUdp !== 'function') return { reason: `${ADDON_PATH}: not the udp_sink addon` };
    return { addon };
  } catch (e) {
    return { reason: `${ADDON_PATH}: ${(e as Error).message.split('\n')[0]}` };
  }
}

const sleepSync = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * node-gyp rebuild in native/, as scripts/build-native.mjs builds the server's addon. Several
 * load-client processes may start at once: a lock directory lets one build while the others wait.
 * Returns the failure, or undefined when built.
 */
function build(): string | undefined {
  const lock = join(NATIVE_DIR, '.build-lock');
  const until = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the longest build is left over from a killed process.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 180_000) rmdirSync(lock);
      } catch {
        /* gone meanwhile */
      }
      if (Date.now() > until) return 'another process has been building it for 3 minutes';
      sleepSync(200);
      if (existsSync(ADDON_PATH)) return undefined;
    }
  }
  try {
    if (existsSync(ADDON_PATH)) return undefined;
    const candidates = [
      process.env.npm_config_node_gyp,
      process.env.npm_execpath && join(dirname(process.env.npm_execpath), '../node_modules/node-gyp/bin/node-gyp.js'),
      join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    ].filter((p): p is string => !!p && existsSync(p));
    const gyp = candidates[0];
    if (!gyp) return 'node-gyp not found beside npm';
    // The headers of this very node, so node-gyp never goes to the network for them.
    const prefix = resolve(dirname(process.execPath), '..');
    if (!existsSync(join(prefix, 'include/node/node_api.h'))) return `no Node headers in ${prefix}/include/node (node-gyp would download them)`;
    const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${prefix}`], { cwd: NATIVE_DIR, encoding: 'utf8', timeout: 180_000 });
    if (r.status === 0 && existsSync(ADDON_PATH)) return undefined;
    const lines = `${r.stderr ?? ''}${r.stdout ?? ''}`.split('\n').filter((l) => /error|ERR!/i.test(l)).slice(0, 5);
    return `node-gyp rebuild exited ${r.status ?? r.signal}${lines.length ? `:\n  ${lines.join('\n  ')}` : ''}`;
  } finally {
    rmdirSync(lock);
  }
}
