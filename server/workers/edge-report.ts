// An edge process's side of the IPC channel: says it is ready, reports its load every half second, exits with its origin.
import type { ClientRegistry } from '../core/clients.js';
import type { EdgeMessage } from './messages.js';
import { loadOf } from './load.js';

const REPORT_MS = 500;

/** `onOrphan`: the origin is gone (the IPC channel closed): the edge shuts down rather than serve stale pulls. */
export function reportToOrigin(clients: ClientRegistry, ports: { rtspPort: number; httpPort: number }, onOrphan: () => void): void {
  const send = (m: EdgeMessage): void => {
    if (process.connected) process.send!(m);
  };
  send({ type: 'ready', rtspPort: ports.rtspPort, httpPort: ports.httpPort });
  const timer = setInterval(() => send({ type: 'load', ...loadOf(clients) }), REPORT_MS);
  timer.unref();
  process.once('disconnect', () => {
    clearInterval(timer);
    onOrphan();
  });
}
