// One placement over both stores: records read back from Redis (JSON) and reported over the --workers IPC channel go through the same chooser.
import { afterEach, describe, expect, it } from 'vitest';
import { ClientRegistry, type ClientRecord } from '../../server/core/clients.js';
import type { ClusterNode } from '../../server/core/cluster-view.js';
import { decodeNode, encodeNode } from '../../server/core/node-record.js';
import { NodePlacement } from '../../server/core/node-placement.js';
import { IpcStore } from '../../server/workers/ipc-store.js';
import { edgeMessage, workerId } from '../../server/workers/messages.js';

const node = (id: string, o: Partial<ClusterNode> = {}): ClusterNode => ({
  id, role: 'edge', rtsp: `rtsp://${id}:8554`, http: `http://${id}:8888`, readers: 0, accepted: 0, capacity: 10, egressBps: 0, cpu: 0, pulls: [], at: 1000, ...o,
});

describe('a Redis front', () => {
  it('places on the puller under capacity, counts its redirects, answers none without an edge', () => {
    let records = [node('front', { role: 'front' }), node('a', { readers: 8, pulls: ['cam'] }), node('b')];
    const front = new NodePlacement({ nodes: () => records.map((n) => decodeNode(encodeNode(n))!) }, { id: 'front', role: 'front', placing: 'front' });
    const sent = Array.from({ length: 4 }, () => front.place('cam', 'ignored')!.id);
    // a takes 2 more (8 + 2 = capacity), then the least loaded.
    expect(sent).toEqual(['a', 'a', 'b', 'b']);
    expect(front.place('cam', 'x')!.rtsp).toBe('rtsp://b:8554');
    records = [node('front', { role: 'front' })];
    expect(front.place('cam', 'x')).toBeUndefined();
  });
});

describe('the origin of --workers (IPC records)', () => {
  let store: IpcStore | undefined;
  afterEach(() => store?.close());

  /** An origin with `own` readers of its own and edges that report `edges` over IPC (as process.send delivers them). */
  function origin(own: number, edges: Partial<ClusterNode>[]): NodePlacement {
    const clients = new ClientRegistry();
    for (let i = 0; i < own; i++) clients.add(`r${i}`, { snapshot: () => ({ id: `r${i}`, role: 'reader', protocol: 'rtsp-tcp', path: 'cam', bitrate: 0, bytes: 0, since: '' }) as ClientRecord, kick: () => {} });
    store = new IpcStore(clients, { rtspPort: 8554, httpPort: 8888 });
    edges.forEach((e, i) => {
      const m = edgeMessage(JSON.parse(JSON.stringify({ type: 'load', node: node('x', { rtsp: `rtsp://127.0.0.1:${8555 + i}`, http: `http://127.0.0.1:${8889 + i}`, capacity: 1, ...e }) })))!;
      store!.update(i + 1, m.node);
    });
    return new NodePlacement(store, { id: workerId(0), role: 'origin', placing: 'origin', sameMachine: true });
  }

  it('lists the origin and its edges; the Location names the host the client dialled', () => {
    const p = origin(0, [{}]);
    expect(p.nodes().map((n) => [n.id, n.role])).toEqual([['worker-0', 'origin'], ['worker-1', 'edge']]);
    expect(p.place('cam', 'cam.example')).toMatchObject({ id: 'worker-1', rtsp: 'rtsp://cam.example:8555', http: 'http://cam.example:8889' });
  });

  it('the same rule: an idle puller first, else the least loaded, ties to an edge; a burst alternates with the origin', () => {
    expect(origin(3, [{ readers: 1 }, { pulls: ['cam'] }]).place('cam', 'h')!.id).toBe('worker-2');
    expect(origin(0, [{ readers: 2 }]).place('cam', 'h')!.id).toBe('worker-0');
    const p = origin(0, [{}]);
    expect(Array.from({ length: 4 }, () => p.place('cam', 'h')!.id)).toEqual(['worker-1', 'worker-0', 'worker-1', 'worker-0']);
  });

  it("edges' pulls are not the origin's load", () => {
    // Two readers here, one of them edge 1's pull: the origin counts 1, the edge 2.
    expect(origin(2, [{ readers: 2, pulls: ['cam'] }]).nodes()[0]!.readers).toBe(1);
  });
});
