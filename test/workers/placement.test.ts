// WorkerPlacement: the least-loaded process gets the reader; ties go to an edge already pulling the path, then to any edge.
import { describe, expect, it } from 'vitest';
import { WorkerPlacement } from '../../server/workers/placement.js';
import type { LoadFigures } from '../../server/workers/load.js';

type Edge = { readers: number; pulls: string[] };

function placement(originReaders: number, edges: Edge[]): WorkerPlacement {
  const own: LoadFigures = { readers: originReaders, pulls: [] };
  const p = new WorkerPlacement(() => own);
  edges.forEach((e, i) => {
    p.update(i + 1, { type: 'ready', rtspPort: 9001 + i, httpPort: 9101 + i });
    p.update(i + 1, { type: 'load', ...e });
  });
  return p;
}

describe('WorkerPlacement', () => {
  const cases: { name: string; origin: number; edges: Edge[]; want: number | undefined }[] = [
    { name: 'no edge ready: served here', origin: 0, edges: [], want: undefined },
    { name: 'all idle: an edge (the origin ingests)', origin: 0, edges: [{ readers: 0, pulls: [] }], want: 9001 },
    { name: 'the origin less loaded: served here', origin: 1, edges: [{ readers: 3, pulls: [] }], want: undefined },
    // The origin's readers include one pull per edge path: 2 readers - 1 pull = 1, against the edge's 2.
    { name: "edges' pulls are not the origin's load", origin: 2, edges: [{ readers: 2, pulls: ['a'] }], want: undefined },
    { name: 'the least-loaded edge', origin: 9, edges: [{ readers: 5, pulls: [] }, { readers: 2, pulls: [] }], want: 9002 },
    { name: 'a tie goes to the edge pulling the path', origin: 9, edges: [{ readers: 2, pulls: [] }, { readers: 2, pulls: ['a'] }], want: 9002 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const node = placement(c.origin, c.edges).place('a', 'host.example');
      expect(node ? Number(new URL(node.rtsp).port) : undefined).toBe(c.want);
      if (node) expect(node.http).toBe(`http://host.example:${c.want! + 100}`);
    });
  }

  it('counts the readers it sent until the edge reports them, so a burst alternates', () => {
    const p = placement(10, [{ readers: 0, pulls: [] }, { readers: 0, pulls: [] }]);
    const ports = Array.from({ length: 4 }, () => p.place('a', 'h')?.rtsp.split(':')[2]);
    expect(ports).toEqual(['9001', '9002', '9001', '9002']);
    // The edge's report replaces the guess.
    p.update(1, { type: 'load', readers: 0, pulls: [] });
    expect(p.place('a', 'h')?.rtsp).toBe('rtsp://h:9001');
  });

  it('a burst alternates between the origin and its edge: readers kept here count until the origin load is re-read', () => {
    const p = new WorkerPlacement(() => ({ readers: 0, pulls: [] }), () => 0);
    p.update(1, { type: 'ready', rtspPort: 9001, httpPort: 9101 });
    const where = Array.from({ length: 6 }, () => (p.place('a', 'h') ? 'edge' : 'origin'));
    expect(where).toEqual(['edge', 'origin', 'edge', 'origin', 'edge', 'origin']);
  });

  it('forgets an edge that exited', () => {
    const p = placement(5, [{ readers: 0, pulls: [] }]);
    p.remove(1);
    expect(p.place('a', 'h')).toBeUndefined();
  });
});
