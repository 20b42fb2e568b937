// Plays a live path with a raw client (TCP socket or WebSocket): DESCRIBE, SETUP of each track, PLAY.
import type { RtspResponse } from '../../server/rtsp/message.js';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { parseRtcpCompound } from '../../server/rtp/rtcp.js';
import type { Interleaved, UdpReceiver } from './rtsp-client.js';

interface Requester {
  request(method: string, url: string, headers?: Record<string, string>): Promise<RtspResponse>;
}

/**
 * Sets up tracks 0 and 1 (interleaved 0-1 and 2-3, or to the UDP receivers) and plays; returns the
 * session id. Throws on any refusal.
 */
export async function playLive(c: Requester, url: string, udp?: UdpReceiver[]): Promise<string> {
  const d = await c.request('DESCRIBE', url, { Accept: 'application/sdp' });
  if (d.status !== 200) throw new Error(`DESCRIBE ${url}: ${d.status}`);
  const base = d.headers.get('Content-Base') ?? `${url}/`;
  let id: string | undefined;
  for (const i of [0, 1]) {
    const rx = udp?.[i];
    const transport = rx ? `RTP/AVP;unicast;client_port=${rx.rtpPort}-${rx.rtcpPort}` : `RTP/AVP/TCP;unicast;interleaved=${2 * i}-${2 * i + 1}`;
    const s = await c.request('SETUP', `${base}trackID=${i}`, { Transport: transport, ...(id ? { Session: id } : {}) });
    if (s.status !== 200) throw new Error(`SETUP track ${i}: ${s.status}`);
    id = parseSession(s.headers.get('Session')!).id;
  }
  const p = await c.request('PLAY', base, { Session: id!, Range: 'npt=0.000-' });
  if (p.status !== 200) throw new Error(`PLAY: ${p.status}`);
  return id!;
}

/** True when an interleaved RTCP frame (odd channel) carries a BYE. */
export function sawBye(frames: Interleaved[]): boolean {
  return frames.some((f) => f.channel % 2 === 1 && isBye(f.data));
}

export function isBye(data: Uint8Array): boolean {
  try {
    return parseRtcpCompound(data).some((p) => p.type === 'bye');
  } catch {
    return false;
  }
}
