// A node of a cluster (docs/cluster.md): registers itself in Redis (the Redis store of node records) and, on a front, places readers on the best edge.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ClusterConfig } from '../config-cluster.js';
import type { ClientRegistry } from '../core/clients.js';
import type { ClusterNode } from '../core/cluster-view.js';
import { LoadMeter } from '../core/node-load.js';
import { NodePlacement } from '../core/node-placement.js';
import type { Logger } from '../log.js';
import { Registry } from './registry.js';

/** Where this node listens, for the advertised URLs it does not configure. */
export interface BoundPorts {
  host: string;
  rtspPort: number;
  httpPort: number;
}

/** rtsp://host:port and http://host:port from the bound ports; a wildcard host becomes this machine's name. */
export function defaultAdvertise(p: BoundPorts): { rtsp: string; http: string } {
  const h = p.host === '0.0.0.0' || p.host === '::' || p.host === '' ? hostname() : p.host.includes(':') ? `[${p.host}]` : p.host;
  return { rtsp: `rtsp://${h}:${p.rtspPort}`, http: `http://${h}:${p.httpPort}` };
}

/** This node in Redis: its record written there, every node's read back, and (on a front) readers placed on them. */
export class ClusterMember extends NodePlacement {
  readonly registry: Registry;
  private readonly load: LoadMeter;

  constructor(config: ClusterConfig, clients: ClientRegistry, ports: BoundPorts, log: Logger) {
    const id = config.id ?? `${hostname()}-${config.role}-${randomBytes(3).toString('hex')}`;
    const load = new LoadMeter(clients);
    const d = defaultAdvertise(ports);
    const urls = { rtsp: stripSlash(config.advertise.rtsp ?? d.rtsp), http: stripSlash(config.advertise.http ?? d.http) };
    const self = (): ClusterNode => load.record({ id, role: config.role, ...urls, capacity: config.capacity });
    const registry = new Registry({ redisUrl: config.redis, self, log });
    super(registry, { id, role: config.role, placing: config.role === 'front' ? 'front' : 'none' });
    this.registry = registry;
    this.load = load;
  }

  start(): void {
    this.registry.start();
  }

  /** Leaves Redis (the record is deleted): fronts stop sending readers here within a second. */
  close(): Promise<void> {
    this.load.close();
    return this.registry.stop();
  }
}

const stripSlash = (u: string): string => u.replace(/\/+$/, '');
