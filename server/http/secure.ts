// HTTPS and WSS (httpsPort): the same routes, tunnels and WebSocket endpoints as the HTTP port, behind TLS.
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { Logger } from '../log.js';
import type { CertificateFiles } from '../tls/certificate.js';
import { closeTls, listenTls } from '../tls/listen.js';
import type { HttpServer } from './server.js';

/** A client that has not finished its TLS handshake by then is cut off. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export class HttpsListener {
  readonly server: Server;
  private readonly sockets = new Set<Socket>();

  /**
   * Serves what `http` serves. Its request and upgrade listeners are taken as they are when this is
   * made (the auth gate, the routes, the RTSP-over-HTTP tunnel interception, WebSocket upgrades),
   * so it is made after the HTTP port is fully wired.
   */
  constructor(
    http: HttpServer,
    certs: CertificateFiles,
    private readonly host: string,
    private readonly log: Logger,
  ) {
    this.server = createServer({ ...certs.options, handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    this.server.requestTimeout = 0;
    this.server.maxConnections = http.ctx.config.maxConnections;
    for (const l of http.server.listeners('request')) this.server.on('request', l as (...a: unknown[]) => void);
    for (const l of http.server.listeners('upgrade')) this.server.on('upgrade', l as (...a: unknown[]) => void);
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('tlsClientError', (err, sock) => log.debug({ peer: sock.remoteAddress, err: err.message }, 'HTTPS handshake failed'));
    certs.serve(this.server);
  }

  listen(port: number): Promise<number> {
    return listenTls(this.server, port, this.host, this.log, 'https');
  }

  close(): Promise<void> {
    return closeTls(this.server, this.sockets);
  }
}
