// This node's load for its record: readers and egress from the client registry, CPU from process.cpuUsage, pulls from the relay clients.
import type { ClientRegistry } from './clients.js';
import type { ClusterNode } from './cluster-view.js';

export interface Load {
  readers: number;
  /** Readers accepted since the start. */
  accepted: number;
  egressBps: number;
  cpu: number;
  pulls: string[];
}

export class LoadMeter {
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  private accepted = 0;
  private readonly unsubscribe: () => void;

  constructor(private readonly clients: ClientRegistry) {
    this.unsubscribe = clients.on({ added: (c) => void (c.role === 'reader' && c.protocol !== 'relay' && this.accepted++) });
  }

  close(): void {
    this.unsubscribe();
  }

  /** This node's record now: who it is (`self`) and its load. */
  record(self: Pick<ClusterNode, 'id' | 'role' | 'rtsp' | 'http' | 'capacity'>): ClusterNode {
    return { ...self, ...this.measure(), at: Date.now() };
  }

  /** The figures now; CPU is the share of one core used since the previous call. */
  measure(): Load {
    let readers = 0;
    let egressBps = 0;
    const pulls = new Set<string>();
    for (const c of this.clients.list()) {
      // An edge's pull is a relay client publishing the path in-process.
      if (c.protocol === 'relay') pulls.add(c.path);
      else if (c.role === 'reader') {
        readers++;
        egressBps += c.bitrate;
      }
    }
    const now = performance.now();
    const used = process.cpuUsage(this.lastCpu);
    const wallUs = Math.max(1, (now - this.lastAt) * 1000);
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    return { readers, accepted: this.accepted, egressBps: Math.round(egressBps), cpu: Math.round(((used.user + used.system) / wallUs) * 1000) / 1000, pulls: [...pulls].sort() };
  }
}
