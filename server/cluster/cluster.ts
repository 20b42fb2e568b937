// A node of a cluster (docs/cluster.md): registers itself in Redis with its load and, on a front, places each new reader on the best edge.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ClusterConfig } from '../config-cluster.js';
import type { ClientRegistry } from '../core/clients.js';
import type { ClusterNode, ClusterView } from '../core/cluster-view.js';
import type { Logger } from '../log.js';
import { LoadMeter } from './load.js';
import { chooseEdge, stickyEdge } from './placement.js';
import { RecentPlacements } from './recent.js';
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

export class ClusterMember implements ClusterView {
  readonly id: string;
  readonly role: ClusterNode['role'];
  readonly registry: Registry;
  private readonly recent = new RecentPlacements();
  private readonly load: LoadMeter;
  private readonly urls: { rtsp: string; http: string };

  constructor(
    private readonly config: ClusterConfig,
    clients: ClientRegistry,
    ports: BoundPorts,
    log: Logger,
  ) {
    this.role = config.role;
    this.id = config.id ?? `${hostname()}-${config.role}-${randomBytes(3).toString('hex')}`;
    this.load = new LoadMeter(clients);
    const d = defaultAdvertise(ports);
    this.urls = { rtsp: stripSlash(config.advertise.rtsp ?? d.rtsp), http: stripSlash(config.advertise.http ?? d.http) };
    this.registry = new Registry({ redisUrl: config.redis, self: () => this.record(), log });
  }

  start(): void {
    this.registry.start();
  }

  nodes(): ClusterNode[] {
    return this.registry.nodes();
  }

  place(path: string, sticky?: string): ClusterNode | undefined {
    const nodes = this.registry.nodes();
    if (sticky !== undefined) return stickyEdge(nodes, `${sticky}\0${path}`);
    this.recent.sync(nodes);
    const edge = chooseEdge(nodes, path, this.recent);
    if (edge) this.recent.note(edge.id, path);
    return edge;
  }

  /** Leaves Redis (the record is deleted): fronts stop sending readers here within a second. */
  close(): Promise<void> {
    this.load.close();
    return this.registry.stop();
  }

  private record(): ClusterNode {
    return { id: this.id, role: this.role, ...this.urls, capacity: this.config.capacity, ...this.load.measure(), at: Date.now() };
  }
}

const stripSlash = (u: string): string => u.replace(/\/+$/, '');
