// An edge process's side of the IPC channel: sends its node record (as a Redis node writes it) when ready and every half second; exits with its origin.
import type { ClientRegistry } from '../core/clients.js';
import type { ClusterNode } from '../core/cluster-view.js';
import { LoadMeter } from '../core/node-load.js';
import { workerId, workerUrls, WORKER_CAPACITY, type EdgeMessage } from './messages.js';

const REPORT_MS = 500;

/** `onOrphan`: the origin is gone (the IPC channel closed): the edge shuts down rather than serve stale pulls. */
export function reportToOrigin(clients: ClientRegistry, index: number, ports: { rtspPort: number; httpPort: number }, onOrphan: () => void): void {
  const load = new LoadMeter(clients);
  const record = (): ClusterNode => load.record({ id: workerId(index), role: 'edge', ...workerUrls(ports), capacity: WORKER_CAPACITY });
  const send = (m: EdgeMessage): void => {
    if (process.connected) process.send!(m);
  };
  send({ type: 'ready', node: record() });
  const timer = setInterval(() => send({ type: 'load', node: record() }), REPORT_MS);
  timer.unref();
  process.once('disconnect', () => {
    clearInterval(timer);
    load.close();
    onOrphan();
  });
}
