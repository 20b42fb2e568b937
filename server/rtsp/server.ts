// The RTSP server: listens, owns the session registry, times out idle sessions, shuts down with BYE.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { Config } from '../config.js';
import { Pacer } from '../core/pacer.js';
import type { PathManager } from '../core/path-manager.js';
import type { Logger } from '../log.js';
import { RtspConnection } from './connection.js';
import type { ServerContext } from './context.js';
import { MulticastHub } from './multicast-sender.js';
import type { RtspSession } from './session.js';
import { UdpPortPair } from './udp-ports.js';

export class RtspServer implements ServerContext {
  readonly sessions = new Map<string, RtspSession>();
  readonly connections = new Set<RtspConnection>();
  readonly pacer = new Pacer(5);
  readonly ports: UdpPortPair;
  readonly multicast: MulticastHub;
  private tcp: Server | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    readonly config: Config,
    readonly paths: PathManager,
    readonly log: Logger,
  ) {
    this.ports = new UdpPortPair(config.rtpPort, config.host);
    this.multicast = new MulticastHub(config, log);
  }

  /** Binds UDP ports and the TCP listener; resolves with the TCP port actually bound. */
  async listen(port: number): Promise<number> {
    await this.ports.start();
    try {
      const bound = await this.listenTcp(port);
      this.sweeper = setInterval(() => this.sweep(), 1000);
      this.sweeper.unref();
      return bound;
    } catch (e) {
      this.ports.close();
      throw e;
    }
  }

  newSessionId(): string {
    // 64 random bits, hex: unguessable, and short enough for a person to type in telnet.
    let id: string;
    do id = randomBytes(8).toString('hex');
    while (this.sessions.has(id));
    return id;
  }

  destroySession(s: RtspSession, why: string, sendBye: boolean): void {
    if (this.sessions.get(s.id) !== s) return;
    this.sessions.delete(s.id);
    const m = s.media;
    const pb = s.playback;
    if (pb) {
      this.pacer.delete(pb);
      if (sendBye && pb.state !== 'ended' && pb.state !== 'ready') pb.bye(why);
      pb.state = 'ended';
    }
    s.onSourceEnd = undefined;
    if (m.kind === 'live') {
      m.stream.detach(s);
      if (sendBye) s.end(why);
    }
    if (m.kind === 'publish') this.paths.livePath(s.path).release(s.id, why);
    s.dispose();
    const stats = pb?.stats().map((x) => ({ track: x.trackId, packets: x.packets, lost: s.tracks.get(x.trackId)?.rr?.cumulativeLost }));
    this.log.info({ session: s.id, path: s.path, why, seconds: Math.round((Date.now() - s.createdAt) / 1000), stats, dropped: s.dropped }, 'session closed');
  }

  /** SIGINT/SIGTERM: BYE to every reader, close every socket. */
  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.multicast.endAll('server shutting down');
    for (const s of [...this.sessions.values()]) this.destroySession(s, 'server shutting down', true);
    this.pacer.stop();
    const tcp = this.tcp;
    this.tcp = undefined;
    const closed = tcp ? new Promise<void>((r) => tcp.close(() => r())) : Promise.resolve();
    for (const c of this.connections) c.end();
    // Let the BYEs and last answers leave before the UDP sockets close.
    await new Promise((r) => setTimeout(r, 50));
    this.ports.close();
    this.multicast.close();
    for (const c of [...this.connections]) c.close();
    await closed;
  }

  get address(): number | undefined {
    const a = this.tcp?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  private listenTcp(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const srv = createServer((sock) => {
        if (this.connections.size >= this.config.maxConnections) {
          sock.end('RTSP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        const c = new RtspConnection(sock, this, (x) => this.connections.delete(x));
        this.connections.add(c);
      });
      srv.once('error', reject);
      srv.listen(port, this.config.host, () => {
        srv.off('error', reject);
        srv.on('error', (e) => this.log.error({ err: e }, 'rtsp listener error'));
        this.tcp = srv;
        const a = srv.address();
        resolve(a && typeof a === 'object' ? a.port : port);
      });
    });
  }

  private sweep(): void {
    const now = performance.now();
    const limit = this.config.sessionTimeout * 1000;
    for (const s of [...this.sessions.values()]) {
      // Interleaved sessions are alive while their connection is (the slow-reader rule covers dead peers).
      if (s.transportKind === 'tcp' && !s.connection.closed) continue;
      if (now - s.lastActivity > limit) this.destroySession(s, `timeout: no request or RTCP for ${this.config.sessionTimeout} s`, true);
    }
  }
}
