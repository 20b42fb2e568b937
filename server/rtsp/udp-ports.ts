// The server-wide RTP/RTCP UDP port pair (default 8000/8001) shared by every UDP session.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { loadUdpBatch, type AddonLoad } from './udp/native.js';
import { BatchSender, DgramSender, type UdpDestination, type UdpSender } from './udp/sender.js';
import { socketFd } from './udp/socket-fd.js';
import { WorkerSender, type RingSizes } from './udp/worker-sender.js';

export type UdpHandler = (data: Buffer, from: RemoteInfo) => void;

const key = (address: string, port: number): string => `${address}|${port}`;

/** How RTP leaves; the defaults come from the environment (tests choose). */
export interface UdpSendOptions {
  /** The sendmmsg addon, or why there is none. */
  addon?: AddonLoad;
  /** Fan-out worker threads; 0 = batched on the main thread. */
  workers?: number;
  /** First sizes of the workers' rings (they double as needed): tests start them tiny. */
  rings?: RingSizes;
}

export class UdpPortPair {
  private rtpSock: Socket | undefined;
  private rtcpSock: Socket | undefined;
  /** Handlers for packets arriving from a client's (address, port), registered by its session. */
  private readonly rtcpRoutes = new Map<string, UdpHandler>();
  private readonly rtpRoutes = new Map<string, UdpHandler>();
  /** RTP goes through this: batched sendmmsg when the addon is there, dgram otherwise. */
  private rtpSender: UdpSender | undefined;
  /** Why RTP is sent the way it is, for the start-up log. */
  senderNote = '';
  rtcpErrors = 0;

  constructor(
    readonly rtpPort: number,
    readonly host = '0.0.0.0',
    private readonly sendOptions: UdpSendOptions = {},
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
    const load = this.sendOptions.addon ?? loadUdpBatch();
    this.rtpSender = makeSender(this.rtpSock, load, this.sendOptions.workers ?? workerCount(), (note) => (this.senderNote = note), this.sendOptions.rings);
    this.rtpSock.on('message', (m, r) => this.rtpRoutes.get(key(r.address, r.port))?.(m, r));
    this.rtcpSock.on('message', (m, r) => this.rtcpRoutes.get(key(r.address, r.port))?.(m, r));
  }

  get sender(): UdpSender | undefined {
    return this.rtpSender;
  }

  /** Datagrams not sent (refused by the kernel, or over the queue bound), RTP and RTCP. */
  get sendErrors(): number {
    return (this.rtpSender?.stats.dropped ?? 0) + this.rtcpErrors;
  }

  /** A client's RTP port, resolved once (at SETUP) for every later send. */
  rtpDestination(address: string, port: number, group?: object): UdpDestination {
    return this.rtpSender?.destination(address, port, group) ?? { address, port, slot: undefined };
  }

  sendRtp(data: Uint8Array, to: UdpDestination): void {
    this.rtpSender?.send(data, to);
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
    this.rtpSender?.close();
    this.rtpSender = undefined;
    this.rtpSock?.close();
    this.rtcpSock?.close();
    this.rtpSock = this.rtcpSock = undefined;
  }

  // ICMP port unreachable from a client that went away surfaces here; it must not crash the server.
  private readonly onSent = (err: Error | null): void => {
    if (err) this.rtcpErrors++;
  };
}

/**
 * Fan-out workers, from TIDECAST_UDP_WORKERS: 0 sends on the main thread (batched), N > 0 in N
 * worker threads. Default 2: the main thread keeps RTSP and ingest, the workers take the kernel's
 * per-datagram work, which is what a UDP reader costs (7-13 us per loopback datagram in sendmmsg).
 * Measured with 500 readers on 2 cores (bench/README.md): on the main thread new readers timed out
 * on OPTIONS; one worker kept up to ~45 k datagrams/s (55 % loss at the queue bound), two ~68 k/s (27 %).
 */
function workerCount(): number {
  const v = Number(process.env.TIDECAST_UDP_WORKERS ?? 2);
  return Number.isInteger(v) && v >= 0 ? Math.min(v, 16) : 2;
}

function makeSender(sock: Socket, load: AddonLoad, workers: number, note: (why: string) => void, rings?: RingSizes): UdpSender {
  const dgram = new DgramSender(sock);
  if (!load.addon) {
    note(`RTP over plain dgram: sendmmsg addon ${load.reason}`);
    return dgram;
  }
  const fd = socketFd(sock);
  if (fd === undefined) {
    note('RTP over plain dgram: this Node does not expose the UDP socket fd');
    return dgram;
  }
  const batched = new BatchSender(load.addon, fd, dgram);
  if (workers === 0) {
    note('RTP batched with sendmmsg on the main thread');
    return batched;
  }
  try {
    const s = new WorkerSender(load.addon, fd, load.path, workers, batched, (e) => note(`RTP batched with sendmmsg on the main thread: a fan-out worker failed (${e.message})`), rings);
    note(`RTP batched with sendmmsg in ${workers} worker thread${workers > 1 ? 's' : ''}`);
    return s;
  } catch (e) {
    note(`RTP batched with sendmmsg on the main thread: ${(e as Error).message}`);
    return batched;
  }
}

/** Receive buffer asked for the server's RTP/RTCP sockets (the kernel caps it at net.core.rmem_max). */
const RECV_BUFFER_BYTES = 4 * 1024 * 1024;

function bind(type: 'udp4' | 'udp6', port: number, host: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket({ type, reuseAddr: false });
    s.once('error', reject);
    s.bind(port, host, () => {
      s.off('error', reject);
      s.on('error', () => {
        /* per-send errors are counted in onSent */
      });
      // Publishers over UDP send a key frame as a burst of dozens of packets, and the event loop
      // may be busy fanning out when it comes: the default buffer (~200 KB) drops some of it.
      try {
        s.setRecvBufferSize(RECV_BUFFER_BYTES);
      } catch {
        // capped by the kernel (net.core.rmem_max): the default still works
      }
      resolve(s);
    });
  });
}
