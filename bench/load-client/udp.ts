// Client UDP sockets: even/odd port pairs per track, and the kernel's drop counters for them.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import type { NativePair, UdpSink } from './native-sink.js';

/** Port allocator shared by all readers of one run: even RTP port, RTCP on the next one (RFC 3550 §11). */
export class UdpPairAllocator {
  private next: number;
  readonly ports = new Set<number>();
  constructor(base: number) {
    this.next = base % 2 === 0 ? base : base + 1;
  }

  async take(): Promise<{ rtp: UdpSocket; rtcp: UdpSocket; rtpPort: number }> {
    for (let tries = 0; tries < 2000; tries++) {
      const port = this.next;
      this.next += 2;
      if (port + 1 > 65535) break;
      const rtp = await bindUdp(port);
      if (!rtp) continue;
      const rtcp = await bindUdp(port + 1);
      if (!rtcp) {
        rtp.close();
        continue;
      }
      this.ports.add(port).add(port + 1);
      return { rtp, rtcp, rtpPort: port };
    }
    throw new Error('no free even/odd UDP port pair');
  }

  /** As take(), with sockets of the native receive path (native-sink.ts). */
  takeNative(sink: UdpSink, h264: boolean): NativePair {
    for (let tries = 0; tries < 2000; tries++) {
      const port = this.next;
      this.next += 2;
      if (port + 1 > 65535) break;
      const pair = sink.bindPair(port, h264);
      if (!pair) continue;
      this.ports.add(port).add(port + 1);
      return pair;
    }
    throw new Error('no free even/odd UDP port pair');
  }
}

function bindUdp(port: number): Promise<UdpSocket | undefined> {
  return new Promise((resolve) => {
    const s = createSocket({ type: 'udp4', reuseAddr: false });
    s.once('error', () => {
      s.close();
      resolve(undefined);
    });
    s.bind(port, '127.0.0.1', () => {
      s.removeAllListeners('error');
      s.on('error', () => {});
      try {
        // Room for a few hundred ms of a reader's packets if this process stalls (capped by rmem_max).
        s.setRecvBufferSize(512 * 1024);
      } catch {
        /* the kernel's cap applies */
      }
      resolve(s);
    });
  });
}

/**
 * Datagrams the kernel dropped on our own sockets because their receive buffer was full, from the
 * per-socket `drops` column of /proc/net/udp: loss that happened in this client, not the server.
 */
export function udpSocketDrops(ports: Set<number>): { drops: number; queuedBytes: number } {
  let drops = 0;
  let queuedBytes = 0;
  try {
    for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 13) continue;
      const port = parseInt(f[1]!.split(':')[1]!, 16);
      if (!ports.has(port)) continue;
      queuedBytes += parseInt(f[4]!.split(':')[1]!, 16);
      drops += Number(f[12]);
    }
  } catch {
    return { drops: NaN, queuedBytes: NaN };
  }
  return { drops, queuedBytes };
}

