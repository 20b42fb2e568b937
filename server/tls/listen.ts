// Binding a TLS listener (RTSPS, HTTPS): the port it got, errors after the bind logged instead of thrown.
import type { Server } from 'node:net';
import type { Logger } from '../log.js';

/** Listens on `port` (0: any free one) and resolves with the bound port; `what` names it in the log. */
export function listenTls(server: Server, port: number, host: string | undefined, log: Logger, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', (e) => log.error({ err: e }, `${what} listener error`));
      const a = server.address();
      resolve(a && typeof a === 'object' ? a.port : port);
    });
  });
}

/** Stops listening and destroys the sockets still open; resolves when the server has closed. */
export function closeTls(server: Server, sockets: Iterable<{ destroy(): void }>): Promise<void> {
  const closed = new Promise<void>((r) => server.close(() => r()));
  for (const s of sockets) s.destroy();
  return closed;
}
