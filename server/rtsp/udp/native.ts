// Loads the optional sendmmsg addon (built by scripts/build-native.mjs at install); absent, UDP uses plain dgram.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface UdpBatchAddon {
  /** Bytes of one destination slot (a zero-padded sockaddr_in / sockaddr_in6). */
  readonly slotSize: number;
  /** The slot for an IP literal and port, or undefined when `ip` is not one. */
  packAddress(ip: string, port: number): Uint8Array | undefined;
  /**
   * Run k sends packets[k] to the next counts[k] slots of dests, in order. Returns [done, sent,
   * skipped, errno, blocked]: done messages were sent or skipped; blocked = the socket buffer was full at `done`.
   * With `firstSlot`, `dests` is a ring of slots and the sends start at that slot, wrapping at its end.
   */
  sendRuns(fd: number, packets: Uint8Array[], counts: number[], dests: Uint8Array, waitMs?: number, firstSlot?: number): [number, number, number, number, number];
  /** A second fd of the same socket (close-on-exec), owned by whoever sends on it; -1 on failure. */
  dupFd(fd: number): number;
  closeFd(fd: number): number;
}

export type AddonLoad = { addon: UdpBatchAddon; path: string } | { addon: undefined; reason: string };


// The same file from the sources (tsx, vitest: server/rtsp/udp/) and from the build (dist/server/rtsp/udp/).
const CANDIDATES = ['./native/build/Release/udp_batch.node', '../../../../server/rtsp/udp/native/build/Release/udp_batch.node'];

let cached: AddonLoad | undefined;

/**
 * The addon, or why not. TIDECAST_UDP_SENDER=dgram turns it off (to compare, or to rule it out when
 * something is wrong); a missing or broken build is not an error, only slower.
 */
export function loadUdpBatch(): AddonLoad {
  cached ??= loadFrom(CANDIDATES);
  return cached;
}

/** Tries each path (relative to this module) in turn; tests give it paths that do not exist. */
export function loadFrom(candidates: string[]): AddonLoad {
  if (process.env.TIDECAST_UDP_SENDER === 'dgram') return { addon: undefined, reason: 'TIDECAST_UDP_SENDER=dgram' };
  if (process.platform !== 'linux') return { addon: undefined, reason: `no sendmmsg on ${process.platform}` };
  const require = createRequire(import.meta.url);
  const errors: string[] = [];
  for (const rel of candidates) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    try {
      const addon = require(path) as UdpBatchAddon;
      if (typeof addon.sendRuns === 'function' && typeof addon.packAddress === 'function' && typeof addon.dupFd === 'function') return { addon, path };
      errors.push(`${path}: not the udp_batch addon`);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== 'MODULE_NOT_FOUND') errors.push(`${path}: ${err.message.split('\n')[0]}`);
    }
  }
  const reason = errors.length ? errors.join('; ') : 'not built (npm ci builds it with node-gyp when a compiler and Node headers are there)';
  return { addon: undefined, reason };
}
