// The server-wide RTP/RTCP UDP port pair (default 8000/8001) shared by every UDP session.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export type UdpHandler = (data: Buffer, from: RemoteInfo) => void;

const key = (address: string, port: number): string => `${address}|${port}`;

export class UdpPortPair {
  private rtpSock: Socket | undefined;
  private rtcpSock: Socket | undefined;
  /** Handlers for packets arriving from a client's (address, port), registered by its session. */
  private readonly rtcpRoutes = new Map<string, UdpHandler>();
  private readonly rtpRoutes = new Map<string, UdpHandler>();
  sendErrors = 0;

  constructor(
    readonly rtpPort: number,
    readonly host = '0.0.0.0',
  ) {}

  get rtcpPort(): number {
    return this.rtpPort + 1;
  }

  async start(): Promise<void> {
    const type = this.host.includes(':') ? 'udp6' : 'udp4';
    this.rtpSock = await bind(type, this.rtpPort, this.host);
    try {
      this.rtcpSock = await bind(type, this.rtpPort + 1, this.host);
    } catch (e) {
      this.rtpSock.close();
      throw e;
    }
    // A large send buffer absorbs the burst of a key frame to many readers at once.
    for (const s of [this.rtpSock, this.rtcpSock]) {
      try {
        s.setSendBufferSize(4 * 1024 * 1024);
      } catch {
        /* the kernel's cap applies */
      }
    }
    this.rtpSock.on('message', (m, r) => this.rtpRoutes.get(key(r.address, r.port))?.(m, r));
    this.rtcpSock.on('message', (m, r) => this.rtcpRoutes.get(key(r.address, r.port))?.(m, r));
  }

  sendRtp(data: Uint8Array, port: number, address: string): void {
    this.rtpSock?.send(data, port, address, this.onSent);
  }

  sendRtcp(data: Uint8Array, port: number, address: string): void {
    this.rtcpSock?.send(data, port, address, this.onSent);
  }

  routeRtcp(address: string, port: number, h: UdpHandler): () => void {
    const k = key(address, port);
    this.rtcpRoutes.set(k, h);
    return () => {
      if (this.rtcpRoutes.get(k) === h) this.rtcpRoutes.delete(k);
    };
  }

  routeRtp(address: string, port: number, h: UdpHandler): () => void {
    const k = key(address, port);
    this.rtpRoutes.set(k, h);
    return () => {
      if (this.rtpRoutes.get(k) === h) this.rtpRoutes.delete(k);
    };
  }

  close(): void {
    this.rtpSock?.close();
    this.rtcpSock?.close();
    this.rtpSock = this.rtcpSock = undefined;
  }

  // ICMP port unreachable from a client that went away surfaces here; it must not crash the server.
  private readonly onSent = (err: Error | null): void => {
    if (err) this.sendErrors++;
  };
}

function bind(type: 'udp4' | 'udp6', port: number, host: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket({ type, reuseAddr: false });
    s.once('error', reject);
    s.bind(port, host, () => {
      s.off('error', reject);
      s.on('error', () => {
        /* per-send errors are counted in onSent */
      });
      resolve(s);
    });
  });
}
