// The Redis store of node records: this node's record under tidecast:node:<id> with a short TTL, refreshed every second, and every node's record read back.
// Redis down never stops the server: the refusal is logged once, ioredis reconnects with a growing delay, and the last view stays.
import { Redis } from 'ioredis';
import type { ClusterNode, NodeStore } from '../core/cluster-view.js';
import type { Logger } from '../log.js';
import { decodeNode, encodeNode, nodeKey, NODE_KEY_PREFIX } from '../core/node-record.js';

export interface RegistryOptions {
  redisUrl: string;
  /** This node's record now (load measured at each call). */
  self: () => ClusterNode;
  log: Logger;
  /** A record not refreshed for this long vanishes (a dead node). */
  ttlMs?: number;
  /** How often the record is written and the others read. */
  everyMs?: number;
}

/** The longest wait between reconnection attempts. */
const MAX_BACKOFF_MS = 5000;
/** How long leaving waits for Redis to delete the record. */
const STOP_WAIT_MS = 1000;
/** Node records read at most (the SCAN stops there). */
const MAX_NODES = 10_000;

export class Registry implements NodeStore {
  private readonly redis: Redis;
  private timer: NodeJS.Timeout | undefined;
  private view: ClusterNode[] = [];
  private busy = false;
  private down = false;
  private stopped = false;
  private readonly ttlMs: number;
  private readonly everyMs: number;

  constructor(private readonly o: RegistryOptions) {
    this.ttlMs = o.ttlMs ?? 5000;
    this.everyMs = o.everyMs ?? 1000;
    this.redis = new Redis(o.redisUrl, {
      lazyConnect: true,
      // Commands fail at once while disconnected instead of piling up: the next tick tries again.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // A Redis that stops answering fails the tick instead of holding it.
      commandTimeout: 2000,
      retryStrategy: (times) => Math.min(200 * 2 ** Math.min(times, 5), MAX_BACKOFF_MS),
    });
    this.redis.on('error', (e: Error) => this.noteDown(e.message));
    this.redis.on('ready', () => void this.tick());
  }

  start(): void {
    this.redis.connect().catch((e: Error) => this.noteDown(e.message));
    this.timer = setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref();
  }

  /** Every node alive at the last read. */
  nodes(): ClusterNode[] {
    return this.view;
  }

  /** Leaves the cluster at once: the record is deleted (not left to expire), the connection closed. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.view = [];
    // A Redis that accepts the connection but never answers must not hold the shutdown: the TTL removes the record anyway.
    if (this.redis.status === 'ready') {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)));
      await Promise.race([this.redis.del(nodeKey(this.o.self().id)).catch(() => undefined), gaveUp]);
      clearTimeout(timer);
    }
    this.redis.disconnect();
  }

  private where(): string {
    const u = new URL(this.o.redisUrl);
    return `${u.hostname}:${u.port || 6379}`;
  }

  private noteDown(message: string): void {
    if (this.down || this.stopped) return;
    this.down = true;
    this.o.log.warn(`Redis at ${this.where()} cannot be reached (${message}): the cluster registry retries in the background`);
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopped || this.redis.status !== 'ready') return;
    this.busy = true;
    try {
      const self = this.o.self();
      await this.redis.set(nodeKey(self.id), encodeNode(self), 'PX', this.ttlMs);
      this.view = await this.readAll();
      if (this.down) this.o.log.info(`Redis at ${this.where()} is back: this node is registered again`);
      this.down = false;
    } catch (e) {
      this.noteDown((e as Error).message);
    } finally {
      this.busy = false;
    }
  }

  private async readAll(): Promise<ClusterNode[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `${NODE_KEY_PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0' && keys.length < MAX_NODES);
    if (keys.length === 0) return [];
    const values = await this.redis.mget(...keys);
    const seen = new Set<string>();
    return values.flatMap((v) => {
      const n = decodeNode(v);
      if (!n || seen.has(n.id)) return [];
      seen.add(n.id);
      return [n];
    });
  }
}
