// A UDP socket that sends to multicast groups: bound to an ephemeral port, with the TTL set and loopback on.
import { createSocket, type Socket } from 'node:dgram';

/**
 * `ttl`: how far packets go (RFC 2974 §3: announcements go as far as the session they describe).
 * `sendBuffer`: bytes of kernel send buffer to ask for (the kernel's cap applies).
 */
export function bindMulticastSender(ttl: number, sendBuffer?: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket({ type: 'udp4' });
    s.once('error', reject);
    s.bind(0, () => {
      s.off('error', reject);
      // Per-send failures (no route to the group) are counted by the caller, never thrown.
      s.on('error', () => {});
      s.setMulticastTTL(ttl);
      // Receivers on this very host (a viewer beside the server, the tests) get the packets too.
      s.setMulticastLoopback(true);
      if (sendBuffer !== undefined) {
        try {
          s.setSendBufferSize(sendBuffer);
        } catch {
          /* the kernel's cap applies */
        }
      }
      resolve(s);
    });
  });
}
