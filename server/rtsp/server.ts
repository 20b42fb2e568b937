// The RTSP server: listens, owns the session registry, times out idle sessions, shuts down with BYE.
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Auth } from '../auth/auth.js';
import type { Config } from '../config.js';
import { Pacer } from '../core/pacer.js';
import type { PathManager } from '../core/path-manager.js';
import type { Logger } from '../log.js';
import { NoticeLog } from '../limits/notice-log.js';
import { PortGuard } from '../limits/port-guard.js';
import { SocketChannel, type ByteChannel, type ChannelAcceptor } from './channel.js';
import { RtspConnection } from './connection.js';
import type { ServerContext } from './context.js';
import { expireConnections, expireUnstarted, refuseRtsp } from './limits.js';
import { MulticastHub } from './multicast-sender.js';
import type { RtspSession } from './session.js';
import { RegisteredSessions } from './session-client.js';
import { announceStream } from './server-requests/announce.js';
import { UdpPortPair } from './udp-ports.js';
import { sessionWho, whoText } from './who.js';
import type { RecordingReader } from '../record/read/recordings.js';

/** How a connection on the RTSP port starts when it is an HTTP request (an RTSP-over-HTTP tunnel half). */
const HTTP_START = /^(?:GET|POST) /;

export class RtspServer implements ServerContext, ChannelAcceptor {
  /** Every session, each registered in paths.clients while it is here (session-client.ts). */
  readonly sessions = new RegisteredSessions();
  readonly connections = new Set<RtspConnection>();
  /** Connections open by side, each held to maxConnections (acceptChannel). */
  private readonly open = { plain: 0, tls: 0 };
  readonly pacer = new Pacer(5);
  readonly ports: UdpPortPair;
  readonly multicast: MulticastHub;
  readonly notices: NoticeLog;
  /** Sockets on the RTSP port: maxConnections, and maxConnectionsPerAddress from one address. */
  readonly guard: PortGuard;
  private tcp: Server | undefined;
  /** Sockets whose first bytes have not arrived yet: RTSP or an HTTP tunnel half? */
  private readonly sniffing = new Set<Socket>();
  /**
   * Takes connections on the RTSP port that open with `GET ` or `POST `: the RTSP-over-HTTP tunnel
   * halves that ffmpeg (-rtsp_transport http) and VLC (--rtsp-http) open on the RTSP port. The
   * first bytes are pushed back into the socket, which is paused. Set by the app (the HTTP layer
   * owns the tunnel); without it such a connection is answered as RTSP (a 400 naming the HTTP port).
   */
  httpOnRtspPort: ((socket: Socket) => void) | undefined;
  /** Set by the app once the RTSPS listener (rtsp/tls/listener.ts) is bound. */
  rtspsPort: number | undefined;
  /** Recordings read back by time (Range: clock=, ?start=), set by app.ts once the recorders run. */
  recordingReader: RecordingReader | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    readonly config: Config,
    readonly paths: PathManager,
    readonly log: Logger,
    readonly auth: Auth = new Auth(config, log),
  ) {
    this.sessions.bind(this, paths.clients);
    this.ports = new UdpPortPair(config.rtpPort, config.host);
    this.multicast = new MulticastHub(config, log);
    this.notices = new NoticeLog(log);
    this.guard = new PortGuard('RTSP', config, this.notices, (sock, why) => refuseRtsp(sock, why));
    // A live path's new stream is described to the readers its old one left (server-requests/announce.ts).
    this.unwatch = paths.events.on({
      ready: ({ path }) => {
        const stream = paths.livePath(path).stream;
        if (stream) announceStream(this, this.connections, path, stream);
      },
    });
  }

  private readonly unwatch: () => void;

  /** Binds UDP ports and the TCP listener; resolves with the TCP port actually bound. */
  async listen(port: number): Promise<number> {
    // TCP first: when the RTSP port is taken (554 without root) the caller retries on another,
    // and the UDP pair must not have been bound meanwhile — a worker's dup of the RTP socket is
    // released asynchronously, so an immediate rebind of the same port would fail.
    const bound = await this.listenTcp(port);
    try {
      await this.ports.start();
    } catch (e) {
      const tcp = this.tcp;
      this.tcp = undefined;
      await new Promise<void>((r) => (tcp ? tcp.close(() => r()) : r()));
      throw e;
    }
    this.sweeper = setInterval(() => this.sweep(), 1000);
    this.sweeper.unref();
    return bound;
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
      s.qos?.stop?.();
      if (sendBye) s.end(why);
    }
    if (m.kind === 'publish') this.paths.release(s.path, s.id, why);
    s.dispose();
    const stats = pb?.stats().map((x) => ({ track: x.trackId, packets: x.packets, lost: s.tracks.get(x.trackId)?.rr?.cumulativeLost }));
    const who = sessionWho(s);
    this.log.info({ ...who, session: s.id, path: s.path, why, seconds: Math.round((Date.now() - s.createdAt) / 1000), stats, dropped: s.dropped }, `${whoText(who)} /${s.path}: session ${s.id} closed: ${why}`);
  }

  /** SIGINT/SIGTERM: BYE to every reader, close every socket. */
  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.unwatch();
    this.multicast.endAll('server shutting down');
    for (const s of [...this.sessions.values()]) this.destroySession(s, 'server shutting down', true);
    this.pacer.stop();
    const tcp = this.tcp;
    this.tcp = undefined;
    const closed = tcp ? new Promise<void>((r) => tcp.close(() => r())) : Promise.resolve();
    for (const c of this.connections) c.end();
    for (const s of this.sniffing) s.destroy();
    // Let the BYEs and last answers leave before the UDP sockets close.
    await new Promise((r) => setTimeout(r, 50));
    this.ports.close();
    this.multicast.close();
    for (const c of [...this.connections]) c.close();
    await closed;
  }

  /**
   * Runs an RTSP connection over a channel (a TCP socket, a WebSocket, an HTTP tunnel); false when
   * at maxConnections. Plain and TLS connections (RTSPS, wss://, https:// tunnels) each have their
   * own maxConnections: a flood of plain connections does not lock the TLS clients out.
   */
  acceptChannel(channel: ByteChannel): boolean {
    const side = channel.secure ? 'tls' : 'plain';
    if (this.open[side] >= this.config.maxConnections) {
      this.notices.warn(channel.remoteAddress, 'RTSP connections', { tunnel: channel.tunnel, side, open: this.open[side] }, `${channel.remoteAddress}: connection refused: ${this.fullReason}`);
      return false;
    }
    this.open[side]++;
    const c = new RtspConnection(channel, this, (x) => {
      if (this.connections.delete(x)) this.open[side]--;
    });
    this.connections.add(c);
    return true;
  }

  /** Why a connection is refused at maxConnections. */
  get fullReason(): string {
    return `the server is at its limit of ${this.config.maxConnections} RTSP connections (maxConnections); try again later`;
  }

  get address(): number | undefined {
    const a = this.tcp?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  private listenTcp(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const srv = createServer((sock) => {
        const refused = this.guard.admit(sock);
        if (sock.writableEnded) return; // refused and answered at once (PortGuard)
        if (!this.httpOnRtspPort) {
          if (refused !== undefined) refuseRtsp(sock, refused);
          else if (!this.acceptChannel(new SocketChannel(sock))) refuseRtsp(sock, this.fullReason);
          return;
        }
        // A refusal is answered once the first bytes say what this is: the POST half of a tunnel
        // belongs to a connection already counted (its GET), so it is let through there. Sockets
        // still silent are bounded by the guard: maxConnections admitted, as many refused waiting.
        this.sniff(sock, refused);
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

  /** Waits for a connection's first bytes: `GET `/`POST ` goes to the HTTP tunnel, anything else is RTSP. */
  private sniff(sock: Socket, refused: string | undefined): void {
    this.sniffing.add(sock);
    // A socket that says nothing holds a slot: it goes after idleTimeout (a refused one sooner, see PortGuard).
    const idle = setTimeout(() => sock.destroy(), this.config.idleTimeout * 1000);
    idle.unref();
    const gone = (): void => {
      clearTimeout(idle);
      this.sniffing.delete(sock);
      sock.destroy();
    };
    sock.on('error', gone);
    sock.once('close', gone);
    sock.once('data', (first: Buffer) => {
      clearTimeout(idle);
      this.sniffing.delete(sock);
      sock.off('error', gone);
      sock.off('close', gone);
      sock.pause();
      sock.unshift(first);
      // A chunk always holds the whole 5-byte prefix in practice: clients write a request line in one go.
      const http = HTTP_START.test(first.subarray(0, 5).toString('latin1'));
      if (http && this.httpOnRtspPort) this.httpOnRtspPort(sock);
      else if (refused !== undefined) refuseRtsp(sock, refused, first);
      else if (this.acceptChannel(new SocketChannel(sock))) sock.resume();
      else refuseRtsp(sock, this.fullReason, first);
    });
  }

  /**
   * Ends UDP sessions with no request or RTCP for sessionTimeout, sessions never started within
   * setupTimeout, and half-sent or idle connections (limits.ts). The timer runs it every second with
   * the clock's time; `now` (performance.now() scale) lets a test ask what a sweep at a later time does.
   */
  sweep(now = performance.now()): void {
    expireConnections(this, this.connections, now);
    expireUnstarted(this, now);
    const limit = this.config.sessionTimeout * 1000;
    for (const s of [...this.sessions.values()]) {
      // Interleaved readers are alive while their connection is (the slow-reader rule covers dead
      // peers). A publisher's RTP is its sign of life: one frozen (a stopped process, a host gone
      // without closing the connection) would otherwise hold its path for ever.
      if (s.transportKind === 'tcp' && !s.connection.closed && s.media.kind !== 'publish') continue;
      if (now - s.lastActivity > limit) this.destroySession(s, `timeout: no request or RTCP for ${this.config.sessionTimeout} s`, true);
    }
  }
}
