// The plain multicast SDP of a live path (RFC 4566 §5.7, RFC 2974 §5): groups and ports a receiver joins without RTSP.
import { write, type MediaDescription, type SessionDescription } from 'sdp-transform';
import type { Track } from '../media/track.js';
import { fmtpFor, rtpMapFor } from './fmtp.js';

export interface MulticastSdpOptions {
  /** The tracks sent, each to `groups[track.id]`; a track without a group is left out. */
  tracks: Track[];
  groups: readonly (string | undefined)[];
  /** RTP port of every group; RTCP is on the next port (RFC 3550 §11), as our sender does. */
  rtpPort: number;
  /** The TTL the sender uses: in c= as `group/ttl` (RFC 4566 §5.7: required for IPv4 multicast). */
  ttl: number;
  /** s=: the path's name. */
  sessionName: string;
  /** o= address: where the announcement comes from (the SAP origin). */
  origin: string;
  /** o= session id: stable per path, so an announcement's next version replaces it. */
  sessionId: number;
  /** o= version: changes whenever the groups or tracks change (a new publisher). */
  sessionVersion: number;
  /** u=: the RTSP URL of the same path, for people and for players that prefer RTSP. */
  rtspUrl?: string;
}

/**
 * No a=control and no Content-Base: ffmpeg's SDP demuxer opens `rtp://group:port` for each medium
 * from c= and m=, and VLC's SAP discovery does the same; RTSP is only named (u=) for people.
 */
export function buildMulticastSdp(o: MulticastSdpOptions): string {
  const media: MediaDescription[] = [];
  for (const t of o.tracks) {
    const group = o.groups[t.id];
    if (group === undefined) continue;
    const fmtp = fmtpFor(t);
    media.push({
      type: t.kind,
      port: o.rtpPort,
      protocol: 'RTP/AVP',
      payloads: String(t.payloadType),
      // Media-level c=: each track has its own group, so a receiver joins only the ones it plays.
      connection: { version: 4, ip: `${group}/${o.ttl}` },
      rtp: [rtpMapFor(t)],
      fmtp: fmtp ? [{ payload: t.payloadType, config: fmtp }] : [],
      ...(t.kind === 'video' && t.width && t.height ? { invalid: [{ value: `x-dimensions:${t.width},${t.height}` }] } : {}),
    });
  }
  const session: SessionDescription = {
    version: 0,
    origin: { username: '-', sessionId: o.sessionId, sessionVersion: o.sessionVersion, netType: 'IN', ipVer: o.origin.includes(':') ? 6 : 4, address: o.origin },
    name: o.sessionName || 'Tidecast',
    ...(o.rtspUrl !== undefined ? { uri: o.rtspUrl } : {}),
    timing: { start: 0, stop: 0 },
    // RFC 4566 §6: a broadcast the receiver only listens to.
    direction: 'recvonly',
    invalid: [{ value: 'tool:Tidecast' }, { value: 'type:broadcast' }],
    media,
  };
  return write(session);
}

/** A stable 32-bit id for a path's name (o= session id). */
export function pathSessionId(path: string): number {
  let h = 2166136261;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 16777619) >>> 0;
  return h;
}
