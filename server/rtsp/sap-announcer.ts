// SAP (RFC 2974): announces each running `sap: true` path's multicast SDP on sapAddress, and deletes it when the path stops.
import type { Socket } from 'node:dgram';
import { bindMulticastSender } from './multicast-socket.js';
import { networkInterfaces } from 'node:os';
import type { Config } from '../config.js';
import type { Counters } from '../core/counters.js';
import { splitSapAddress } from '../config-sap.js';
import type { Logger } from '../log.js';
import { buildMulticastSdp, pathSessionId } from '../sdp/multicast-sdp.js';
import { buildSap, SAP_MAX_PACKET, sapHash } from '../sdp/sap.js';
import type { MulticastPathListener, RunningMulticast } from './multicast-paths.js';

/** RFC 2974 §3.1: all announcements of one announcer share 4000 bit/s by default. */
const SAP_BANDWIDTH_BITS = 4000;
/** RFC 2974 §3.1's floor, used here as the ceiling: a path is announced at least every 5 minutes whatever the load. */
const MAX_INTERVAL_S = 300;

interface Announced {
  path: string;
  announce: Uint8Array;
  deletion: Uint8Array;
  timer: NodeJS.Timeout | undefined;
}

/** The SAP origin and SDP o= address: the configured host when it is one address, else this machine's first outward IPv4. */
export function announceOrigin(config: Config): string {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(config.host) && config.host !== '0.0.0.0') return config.host;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/**
 * RFC 2974 §3.1 interval: the configured one, stretched so that all our announcements together stay
 * within 4000 bit/s, at most 300 s; then offset by up to ±1/3 so announcers do not fall into step.
 */
export function sapIntervalMs(configured: number, announcements: number, bytes: number, random = Math.random()): number {
  const base = Math.min(MAX_INTERVAL_S, Math.max(configured, (8 * announcements * bytes) / SAP_BANDWIDTH_BITS));
  return Math.round(base * 1000 * (2 / 3 + (2 / 3) * random));
}

export class SapAnnouncer implements MulticastPathListener {
  private readonly announced = new Map<string, Announced>();
  private socket: Promise<Socket> | undefined;
  /** Packets on their way out: close waits for them (the deletions sent at shutdown). */
  private readonly pending = new Set<Promise<void>>();
  private failureLogged = false;
  private readonly group: string;
  private readonly port: number;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
    readonly origin: string,
    /** The path's RTSP URL (u= line), for people and players that prefer RTSP. */
    private readonly rtspUrlOf: (path: string) => string,
    /** tidecast_sap_packets_total{type, result} on /metrics. */
    private readonly counters: Counters,
  ) {
    ({ group: this.group, port: this.port } = splitSapAddress(config.sapAddress));
  }

  started(m: RunningMulticast): void {
    if (!m.sap) return;
    this.stopTimer(m.path);
    const sdp = buildMulticastSdp({
      tracks: m.tracks,
      groups: m.groups,
      rtpPort: m.rtpPort,
      ttl: m.ttl,
      sessionName: m.path,
      origin: this.origin,
      sessionId: pathSessionId(m.path),
      sessionVersion: m.version,
      rtspUrl: this.rtspUrlOf(m.path),
    });
    const hash = sapHash(sdp);
    const packet = (deletion: boolean): Uint8Array => buildSap({ deletion, msgIdHash: hash, origin: this.origin, payloadType: 'application/sdp', payload: sdp });
    const a: Announced = { path: m.path, announce: packet(false), deletion: packet(true), timer: undefined };
    if (a.announce.length > SAP_MAX_PACKET) {
      this.log.warn({ path: m.path, bytes: a.announce.length }, `/${m.path}: its SAP announcement is ${a.announce.length} bytes, over RFC 2974's 1 kB; some receivers may drop it`);
    }
    this.announced.set(m.path, a);
    this.log.info({ path: m.path, sap: this.config.sapAddress, origin: this.origin, hash }, `/${m.path}: announced by SAP on ${this.config.sapAddress}`);
    this.tick(a);
  }

  stopped(m: RunningMulticast, why: string): void {
    const a = this.announced.get(m.path);
    if (!a) return;
    this.stopTimer(m.path);
    this.announced.delete(m.path);
    void this.send(a.deletion, 'deletion');
    this.log.info({ path: m.path, why }, `/${m.path}: SAP announcement deleted: ${why}`);
  }

  /** After the paths stopped (their deletions queued): waits for the last packets, then closes the socket. */
  async close(): Promise<void> {
    for (const path of [...this.announced.keys()]) this.stopTimer(path);
    this.announced.clear();
    await Promise.all([...this.pending]);
    const s = this.socket;
    this.socket = undefined;
    if (s) (await s.catch(() => undefined))?.close();
  }

  private tick(a: Announced): void {
    if (this.announced.get(a.path) !== a) return;
    void this.send(a.announce, 'announcement');
    const ms = sapIntervalMs(this.config.sapInterval, this.announced.size, a.announce.length);
    a.timer = setTimeout(() => this.tick(a), ms);
    a.timer.unref();
  }

  private stopTimer(path: string): void {
    const a = this.announced.get(path);
    if (a?.timer) clearTimeout(a.timer);
  }

  private send(data: Uint8Array, type: 'announcement' | 'deletion'): Promise<void> {
    const p = this.sendNow(data).then((ok) => {
      this.counters.inc('sap_packets', { type, result: ok ? 'sent' : 'failed' });
      if (!ok && !this.failureLogged) {
        this.failureLogged = true;
        this.log.warn({ sap: this.config.sapAddress }, `SAP: cannot send to ${this.config.sapAddress} (no multicast route?); failures are counted in tidecast_sap_packets_total{result="failed"}, logged once`);
      }
    });
    this.pending.add(p);
    void p.then(() => this.pending.delete(p));
    return p;
  }

  /** True once the packet left; a failure (no route to the group) is counted, never thrown. */
  private async sendNow(data: Uint8Array): Promise<boolean> {
    let s: Socket;
    try {
      s = await (this.socket ??= bindMulticastSender(this.config.multicastTTL));
    } catch (e) {
      this.log.error({ err: (e as Error).message }, `SAP: cannot open a UDP socket: ${(e as Error).message}`);
      return false;
    }
    return new Promise<boolean>((resolve) => s.send(data, this.port, this.group, (err) => resolve(!err)));
  }
}
