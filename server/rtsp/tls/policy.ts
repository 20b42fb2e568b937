// What rtspEncryption and the connection's TLS allow: plain RTSP under `strict`, SRTP only inside RTSPS, and UDP over RTSPS only as SRTP.
import { RtspError } from '../errors.js';
import type { TransportHeader } from '../headers/transport.js';
import type { ServerContext } from '../context.js';
import type { ConnectionInfo } from '../methods/request-context.js';

/** Where a client should connect instead, for the words of a refusal. */
function rtspsUrl(server: ServerContext, conn: ConnectionInfo, path: string): string {
  const host = conn.localAddress.includes(':') ? `[${conn.localAddress}]` : conn.localAddress || 'host';
  return `rtsps://${host}:${server.rtspsPort ?? server.config.rtspsPort}/${path}`;
}

/** rtspEncryption strict: every request that did not come over TLS is refused, saying where to go. */
export function checkEncryption(server: ServerContext, conn: ConnectionInfo, path: string): void {
  if (server.config.rtspEncryption !== 'strict' || conn.secure) return;
  const via = conn.tunnel === 'websocket' ? 'a WebSocket without TLS (ws://)' : conn.tunnel === 'http' ? 'an HTTP tunnel without TLS' : 'plain RTSP';
  const instead = conn.tunnel ? 'use wss:// or https:// on the HTTPS port' : `connect to ${rtspsUrl(server, conn, path)}`;
  throw new RtspError(403, `this server takes RTSP only over TLS (rtspEncryption: strict), and this request came over ${via}: ${instead}`);
}

/** DESCRIBE answers RTP/SAVP with keys (and SETUP takes RTP/SAVP) on RTSPS itself; tunnels carry RTP interleaved only. */
export const srtpOffered = (conn: ConnectionInfo): boolean => conn.secure && !conn.tunnel;

/**
 * Why an offered transport cannot be used on this connection for encryption's sake, or undefined.
 * SRTP keys travel in KeyMgmt and SDP, so only TLS may carry them (as gortsplib refuses SAVP on
 * plain RTSP); and media a client fetched over RTSPS must not then cross the network as plain UDP.
 */
export function encryptionRefusal(conn: ConnectionInfo, offer: TransportHeader): string | undefined {
  const savp = offer.protocol === 'RTP/SAVP';
  if (savp && !conn.secure) return 'RTP/SAVP is set up only over RTSPS: on plain RTSP its key would cross the network in the clear';
  if (savp && conn.tunnel) return 'SRTP is not carried through a tunnel: use RTP/AVP/TCP;interleaved=0-1 (TLS already protects it on wss:// and https://)';
  if (savp && offer.delivery === 'multicast') return 'SRTP over multicast is not supported: use RTP/SAVP;unicast or RTP/AVP/TCP';
  if (!savp && conn.secure && !conn.tunnel && offer.lowerTransport === 'UDP' && offer.protocol === 'RTP/AVP') {
    return 'this is an RTSPS connection: UDP media must be SRTP (RTP/SAVP;unicast;client_port=N-N+1 with a KeyMgmt header), or use RTP/AVP/TCP inside TLS';
  }
  return undefined;
}
