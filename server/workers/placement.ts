// The origin's placement of `tidecast serve --workers N`: each new reader of a live path goes to the least-loaded process.
import type { NodeUrls, Placement } from '../core/placement.js';
import type { EdgeMessage } from './messages.js';
import type { LoadFigures } from './load.js';

const ORIGIN_LOAD_MS = 250;

interface EdgeState {
  rtspPort: number;
  httpPort: number;
  readers: number;
  pulls: Set<string>;
  /** Readers sent there since its last report: they count until the edge reports them itself. */
  pending: number;
}

/**
 * The origin is a candidate too (its own load is its readers minus the edges' pulls, which are
 * readers here). Ties go to an edge that already pulls the path, then to any edge: the origin also
 * ingests. A crashed edge is forgotten until it reports ready again.
 */
export class WorkerPlacement implements Placement {
  private readonly edges = new Map<number, EdgeState>();
  /** The origin's readers (edges' pulls apart), re-read at most every ORIGIN_LOAD_MS: the registry's list costs O(readers). */
  private own = { readers: 0, at: -Infinity };

  constructor(private readonly originLoad: () => LoadFigures, private readonly now: () => number = () => performance.now()) {}

  private ownReaders(): number {
    if (this.now() - this.own.at >= ORIGIN_LOAD_MS) {
      const pulls = [...this.edges.values()].reduce((n, e) => n + e.pulls.size, 0);
      this.own = { readers: Math.max(0, this.originLoad().readers - pulls), at: this.now() };
    }
    return this.own.readers;
  }

  /** An edge's IPC message. */
  update(index: number, m: EdgeMessage): void {
    if (m.type === 'ready') {
      this.edges.set(index, { rtspPort: m.rtspPort, httpPort: m.httpPort, readers: 0, pulls: new Set(), pending: 0 });
      return;
    }
    const e = this.edges.get(index);
    if (!e) return;
    e.readers = m.readers;
    e.pulls = new Set(m.pulls);
    e.pending = 0;
  }

  /** The edge exited: no reader is sent there. */
  remove(index: number): void {
    this.edges.delete(index);
  }

  /** Edges ready, by index, with their last figures (the API and tests read it). */
  snapshot(): { index: number; rtspPort: number; httpPort: number; readers: number; pulls: string[] }[] {
    return [...this.edges].map(([index, e]) => ({ index, rtspPort: e.rtspPort, httpPort: e.httpPort, readers: e.readers + e.pending, pulls: [...e.pulls] }));
  }

  place(path: string, host: string): NodeUrls | undefined {
    let best: EdgeState | undefined;
    let bestScore = Infinity;
    for (const e of this.edges.values()) {
      // Half a reader's worth of preference for an edge already pulling: it costs the origin nothing more.
      const score = e.readers + e.pending - (e.pulls.has(path) ? 0.5 : 0);
      if (score < bestScore) [best, bestScore] = [e, score];
    }
    if (!best) return undefined;
    if (this.ownReaders() < bestScore) {
      // Kept here: counted until the next re-read, as an edge's placed readers are until its report.
      this.own.readers++;
      return undefined;
    }
    best.pending++;
    return { rtsp: `rtsp://${host}:${best.rtspPort}`, http: `http://${host}:${best.httpPort}` };
  }
}
