// The RTSPS listener (rtspsPort): TLS over TCP, each connection then run as RTSP by the RTSP server, beside the plain port.
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { Logger } from '../../log.js';
import type { CertificateFiles } from '../../tls/certificate.js';
import { closeTls, listenTls } from '../../tls/listen.js';
import { SocketChannel, type ChannelAcceptor } from '../channel.js';

/** A client that has not finished its TLS handshake by then is cut off: a half-open handshake holds a socket. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface RtspsOptions {
  host: string;
  /** RTSP connections on this port (config maxConnections); sockets, handshakes included, are held to twice that. */
  maxConnections: number;
}

export class RtspsListener {
  private readonly server: Server;
  private readonly sockets = new Set<TLSSocket>();
  /** TLS handshakes that failed (bad client, plain RTSP sent to the TLS port, timeout). */
  handshakeErrors = 0;

  constructor(
    acceptor: ChannelAcceptor,
    certs: CertificateFiles,
    private readonly opts: RtspsOptions,
    private readonly log: Logger,
  ) {
    this.server = createServer({ ...certs.options, handshakeTimeout: HANDSHAKE_TIMEOUT_MS }, (sock) => {
      this.sockets.add(sock);
      sock.once('close', () => this.sockets.delete(sock));
      if (acceptor.acceptChannel(new SocketChannel(sock))) return;
      // Over the connection limit: answered inside TLS, in RTSP, then closed.
      sock.on('error', () => sock.destroy());
      sock.end('RTSP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 62\r\n\r\nthe server is at its connection limit; try again in a moment\r\n');
      setTimeout(() => sock.destroy(), 2000).unref();
    });
    // Sockets, handshakes included: the RTSP connections (held to maxConnections by the RTSP server,
    // which answers one more with 503 inside TLS) and as many handshakes again; past that Node drops them.
    this.server.maxConnections = 2 * opts.maxConnections;
    this.server.on('tlsClientError', (err, sock) => {
      this.handshakeErrors++;
      // Debug only: a port on the internet sees scanners all day.
      this.log.debug({ peer: sock.remoteAddress, err: err.message }, 'RTSPS handshake failed');
    });
    certs.serve(this.server);
  }

  listen(port: number): Promise<number> {
    return listenTls(this.server, port, this.opts.host, this.log, 'rtsps');
  }

  /** Stops listening and drops what is left (after the RTSP server has closed its connections, with BYE). */
  close(): Promise<void> {
    return closeTls(this.server, this.sockets);
  }
}
