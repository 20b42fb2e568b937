// Edge placement: a puller under capacity first, else the least loaded by share of capacity; the front's own recent redirects count.
import { describe, expect, it } from 'vitest';
import type { ClusterNode } from '../../server/core/cluster-view.js';
import { chooseEdge, stickyEdge } from '../../server/core/node-chooser.js';
import { RecentPlacements } from '../../server/core/recent-placements.js';

const node = (id: string, o: Partial<ClusterNode> = {}): ClusterNode => ({
  id, role: 'edge', rtsp: `rtsp://${id}:8554`, http: `http://${id}:8888`, readers: 0, accepted: 0, capacity: 10, egressBps: 0, cpu: 0, pulls: [], at: 1000, ...o,
});

describe('chooseEdge', () => {
  const cases: { name: string; nodes: ClusterNode[]; want: string | undefined }[] = [
    { name: 'no node', nodes: [], want: undefined },
    { name: 'only an origin and a front', nodes: [node('o', { role: 'origin' }), node('f', { role: 'front' })], want: undefined },
    { name: 'an edge without URLs is skipped', nodes: [node('a', { rtsp: '' }), node('b', { readers: 9 })], want: 'b' },
    { name: 'least loaded', nodes: [node('a', { readers: 5 }), node('b', { readers: 2 })], want: 'b' },
    { name: 'ties go to the smaller id', nodes: [node('b'), node('a')], want: 'a' },
    { name: 'a puller under capacity beats a less loaded edge', nodes: [node('a', { readers: 8, pulls: ['cam'] }), node('b')], want: 'a' },
    { name: 'a puller at capacity does not', nodes: [node('a', { readers: 10, pulls: ['cam'] }), node('b', { readers: 3 })], want: 'b' },
    { name: 'among pullers, the least loaded', nodes: [node('a', { readers: 8, pulls: ['cam'] }), node('b', { readers: 4, pulls: ['cam'] }), node('c')], want: 'b' },
    { name: 'all over capacity: the smallest share of capacity', nodes: [node('a', { readers: 30, capacity: 10 }), node('b', { readers: 40, capacity: 20 })], want: 'b' },
    { name: 'a pull of another path does not count', nodes: [node('a', { readers: 5, pulls: ['other'] }), node('b', { readers: 1 })], want: 'b' },
  ];
  it.each(cases)('$name', ({ nodes, want }) => {
    expect(chooseEdge(nodes, 'cam')?.id).toBe(want);
  });

  it('counts the readers it sent until the edge reports them arrived, and prefers the edge it sent the path to', () => {
    const recent = new RecentPlacements();
    const nodes = [node('a'), node('b')];
    recent.sync(nodes, 2000);
    const sent: string[] = [];
    for (let i = 0; i < 25; i++) {
      const e = chooseEdge(nodes, 'cam', recent)!;
      recent.note(e.id, 'cam', 2000);
      sent.push(e.id);
    }
    // 10 to the first edge (it starts the pull), 10 to the other, then alternately.
    expect(sent.slice(0, 10).every((id) => id === 'a')).toBe(true);
    expect(sent.slice(10, 20).every((id) => id === 'b')).toBe(true);
    expect(sent.filter((id) => id === 'a').length - sent.filter((id) => id === 'b').length).toBeLessThanOrEqual(1);
    expect(recent.readers(node('a'))).toBe(13);
    // a's record shows 10 of them accepted: 3 still on their way; the record's readers carry the 10.
    recent.sync([node('a', { accepted: 10, readers: 10 }), node('b')], 2500);
    expect(recent.readers(node('a'))).toBe(3);
    // The rest never arrive: forgotten after a while, and so is the path preference.
    recent.sync([node('a', { accepted: 10 }), node('b')], 60_000);
    expect(recent.readers(node('a'))).toBe(0);
    expect(recent.sentPath(node('a'), 'cam')).toBe(false);
  });

  it('an edge that restarts (its count goes down) or leaves settles nothing and is forgotten', () => {
    const recent = new RecentPlacements();
    recent.sync([node('a', { accepted: 50 })], 1000);
    recent.note('a', 'cam', 1000);
    recent.sync([node('a', { accepted: 2 })], 1100);
    expect(recent.readers(node('a'))).toBe(1);
    recent.sync([], 1200);
    expect(recent.readers(node('a'))).toBe(0);
  });
});

describe('stickyEdge', () => {
  const keys = Array.from({ length: 200 }, (_, i) => `10.0.${i >> 8}.${i & 255}\0cam`);

  it('sends a client to the same edge every time, and clients over every edge', () => {
    const nodes = [node('a'), node('b'), node('c')];
    const first = keys.map((k) => stickyEdge(nodes, k)!.id);
    expect(keys.map((k) => stickyEdge([...nodes].reverse(), k)!.id)).toEqual(first);
    for (const id of ['a', 'b', 'c']) expect(first.filter((x) => x === id).length).toBeGreaterThan(30);
  });

  it('an edge joining takes clients only to itself; a full edge is skipped while another has room', () => {
    const two = [node('a'), node('b')];
    const three = [...two, node('c')];
    for (const k of keys) {
      const after = stickyEdge(three, k)!.id;
      if (after !== 'c') expect(after).toBe(stickyEdge(two, k)!.id);
    }
    expect(keys.every((k) => stickyEdge([node('a', { readers: 10 }), node('b')], k)!.id === 'b')).toBe(true);
    expect(stickyEdge([], 'x')).toBeUndefined();
  });
});
