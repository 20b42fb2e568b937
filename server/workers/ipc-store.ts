// The --workers store of node records, in the origin: its own record, measured as it is read (at most every half second), and each edge process's
// record as it reports it over the IPC channel (the same records a Redis cluster keeps; GET /api/v1/cluster lists them).
import type { ClientRegistry } from '../core/clients.js';
import type { ClusterNode, NodeStore } from '../core/cluster-view.js';
import { LoadMeter } from '../core/node-load.js';
import { WORKER_CAPACITY, workerId, workerUrls } from './messages.js';

const MEASURE_MS = 500;

export class IpcStore implements NodeStore {
  private readonly edges = new Map<number, ClusterNode>();
  private readonly load: LoadMeter;
  private own: ClusterNode | undefined;
  private ownAt = -Infinity;

  constructor(clients: ClientRegistry, private readonly ports: { rtspPort: number; httpPort: number }) {
    this.load = new LoadMeter(clients);
  }

  /** The origin first (re-measured at most every half second, or after an edge's report), then the edges that reported, by index. */
  nodes(): ClusterNode[] {
    if (!this.own || performance.now() - this.ownAt >= MEASURE_MS) [this.own, this.ownAt] = [this.measure(), performance.now()];
    return [this.own, ...[...this.edges].sort(([a], [b]) => a - b).map(([, n]) => n)];
  }

  /** Edge `index` reported its record. */
  update(index: number, node: ClusterNode): void {
    this.edges.set(index, { ...node, id: workerId(index), role: 'edge' });
    this.own = undefined;
  }

  /** Edge `index` exited: no reader is sent there until it reports again. */
  remove(index: number): void {
    this.edges.delete(index);
    this.own = undefined;
  }

  close(): void {
    this.load.close();
  }

  /** The origin's record: its readers apart from the edges' pulls (each one an RTSP reader here). */
  private measure(): ClusterNode {
    const own = this.load.record({ id: workerId(0), role: 'origin', ...workerUrls(this.ports), capacity: WORKER_CAPACITY });
    const pulls = [...this.edges.values()].reduce((n, e) => n + e.pulls.length, 0);
    return { ...own, readers: Math.max(0, own.readers - pulls) };
  }
}
