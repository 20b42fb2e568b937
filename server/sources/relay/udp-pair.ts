// The relay client's RTP/RTCP UDP socket pair: bound on an even/odd port pair, closed quietly, peer addresses compared without IPv4-mapped prefixes.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { RtspClientError } from './rtsp-client-types.js';

export interface UdpPair {
  rtp: UdpSocket;
  rtcp: UdpSocket;
  ports: [number, number];
}

/** Binds RTP on an ephemeral even port and RTCP on the next one (RFC 3550 §11). */
export async function bindUdpPair(family: 'udp4' | 'udp6'): Promise<UdpPair> {
  const any = family === 'udp6' ? '::' : '0.0.0.0';
  for (let attempt = 0; attempt < 64; attempt++) {
    const rtp = createSocket(family);
    await bind(rtp, 0, any);
    const port = rtp.address().port;
    if (port % 2 !== 0 || port >= 65535) {
      rtp.close();
      continue;
    }
    const rtcp = createSocket(family);
    try {
      await bind(rtcp, port + 1, any);
    } catch {
      rtp.close();
      rtcp.close();
      continue;
    }
    // Video key frames arrive as bursts of dozens of packets; the default buffer can drop some.
    try {
      rtp.setRecvBufferSize(2 * 1024 * 1024);
    } catch {
      // capped by the kernel (net.core.rmem_max): the default still works
    }
    return { rtp, rtcp, ports: [port, port + 1] };
  }
  throw new RtspClientError('could not bind an even/odd pair of UDP ports for RTP/RTCP');
}

function bind(s: UdpSocket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    s.once('error', onError);
    s.bind(port, address, () => {
      s.off('error', onError);
      // After bind, an error (e.g. ICMP unreachable on some systems) must not crash the process.
      s.on('error', () => {});
      resolve();
    });
  });
}

/** Closes both sockets; either may already be closed. */
export function closePair(pair: UdpPair): void {
  for (const s of [pair.rtp, pair.rtcp]) {
    try {
      s.close();
    } catch {
      // already closed
    }
  }
}

/** ::ffff:1.2.3.4 -> 1.2.3.4, so a dual-stack socket's sender compares equal to the RTSP peer's IPv4 address. */
export function normalizeAddress(a: string): string {
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/**
 * Hands the pair's datagrams from `from` to `deliver` (RTP, then RTCP on the odd port). Only the
 * upstream may feed the relay: packets from any other address are dropped (a spoofing guard
 * MediaMTX has too).
 */
export function routeFrom(pair: UdpPair, from: string, deliver: (rtcp: boolean, data: Uint8Array) => void): void {
  const want = normalizeAddress(from);
  const on = (rtcp: boolean) => (msg: Buffer, rinfo: { address: string }) => {
    if (normalizeAddress(rinfo.address) === want) deliver(rtcp, new Uint8Array(msg.buffer, msg.byteOffset, msg.length));
  };
  pair.rtp.on('message', on(false));
  pair.rtcp.on('message', on(true));
}
