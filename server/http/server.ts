// The HTTP listener: the express app, WebSocket upgrades routed by path, and a close that ends every connection.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { createHttpApp, type RouteInstaller } from './app.js';
import type { HttpContext } from './context.js';
import { installApi } from './api/routes.js';
import { installAuth } from './auth/gate.js';
import { installMetrics } from './api/metrics.js';
import { installDashboard } from './dashboard/routes.js';
import { installPlayerRoutes } from './player-routes.js';
import { installPlaybackRoutes } from './playback/routes.js';
import { installProgressiveRoutes } from './progressive/routes.js';
import { installStaticMediaRoutes } from './static-media.js';
import { installHls } from './hls/routes.js';
import { installSubtitleRoutes } from './progressive/subtitles-route.js';
import { installDescriptions } from './description.js';
import { installDrainRedirect } from './drain-redirect.js';
import { installPlaybackHls } from './hls/playback-routes.js';
import { installRenditionRoutes } from './renditions-route.js';
import { installFrontRoutes } from './front-routes.js';
import { NoticeLog } from '../limits/notice-log.js';
import { refusalOf, type PortGuard } from '../limits/port-guard.js';
import { connectionsCheckingInterval, guardHttpPort, rawJsonAnswer, refusedRequest } from './limits.js';

/** Handles an HTTP upgrade (WebSocket) for requests it claims; returns false to pass. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

/** Route groups, in order; the auth gate first. Each delivery (progressive, HLS, API, player) adds its installer here. */
const ROUTES: RouteInstaller[] = [installAuth, installApi, installMetrics, installDrainRedirect, installDashboard, installFrontRoutes, installPlayerRoutes, installDescriptions, installProgressiveRoutes, installSubtitleRoutes, installPlaybackRoutes, installPlaybackHls, installHls, installRenditionRoutes, installStaticMediaRoutes];

export class HttpServer {
  readonly server: Server;
  private readonly upgrades: UpgradeHandler[] = [];
  private readonly sockets = new Set<Duplex>();
  /** Sockets on the HTTP port: maxConnections, and maxConnectionsPerAddress from one address. */
  readonly guard: PortGuard;
  /** The express app (the API's OpenAPI test reads its routes). */
  readonly app: ReturnType<typeof createHttpApp>;

  constructor(readonly ctx: HttpContext, routes: RouteInstaller[] = ROUTES) {
    const app = (this.app = createHttpApp(ctx, routes));
    this.server = createServer({ connectionsCheckingInterval: connectionsCheckingInterval(ctx.config) }, (req, res) => {
      if (!refusedRequest(req, res)) app(req, res);
    });
    // Streams run for hours: no request timeout; idle keep-alive sockets still close, and a
    // request head must be complete within readTimeout (limits.ts).
    this.server.requestTimeout = 0;
    this.guard = guardHttpPort(this.server, ctx.config, new NoticeLog(ctx.log));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('upgrade', (req, socket, head) => {
      socket.on('error', () => socket.destroy());
      for (const h of this.upgrades) if (h(req, socket, head)) return;
      const refused = refusalOf(socket);
      if (refused !== undefined) return void socket.end(rawJsonAnswer(503, refused));
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":"no WebSocket endpoint here","status":404}');
    });
    // Without a listener Node drops a CONNECT without a word; the client deserves to know why.
    this.server.on('connect', (req, socket) => {
      socket.on('error', () => socket.destroy());
      const refused = refusalOf(socket);
      socket.end(refused !== undefined ? rawJsonAnswer(503, refused) : rawJsonAnswer(405, `CONNECT ${req.url ?? ''}: this is a media server, not a proxy; use GET for /<path>/index.m3u8, /<path>/stream.mp4 or /<path>/stream.ts`));
    });
  }

  onUpgrade(h: UpgradeHandler): void {
    this.upgrades.push(h);
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
