// An edge process's side of the IPC channel: sends its node record (as a Redis node writes it) when ready and every half second; exits with its origin.
import type { ClientRegistry } from '../core/clients.js';
import type { ClusterNode } from '../core/cluster-view.js';
import { LoadMeter } from '../core/node-load.js';
import { workerId, WORKER_CAPACITY, type EdgeMessage } from './messages.js';

const REPORT_MS = 500;

/** `onOrphan`: the origin is gone (the IPC channel closed): the edge shuts down rather than serve stale pulls. */
export function reportToOrigin(clients: ClientRegistry, index: number, ports: { rtspPort: number; httpPort: number }, onOrphan: () => void): void {
  const load = new LoadMeter(clients);
  // The origin names the host each reader dialled in its Location; the record keeps the ports.
  const record = (): ClusterNode => ({
    id: workerId(index), role: 'edge', rtsp: `rtsp://127.0.0.1:${ports.rtspPort}`, http: `http://127.0.0.1:${ports.httpPort}`, capacity: WORKER_CAPACITY, ...load.measure(), at: Date.now(),
  });
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
