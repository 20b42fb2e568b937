// SETUP: picks a transport the client offered (UDP unicast or TCP interleaved) for one track (RFC 2326 §10.4).
import type { Track } from '../../core/media.js';
import { FilePlayback } from '../../sources/file/playback.js';
import { parseRtcpCompound } from '../../rtp/rtcp.js';
import { RtspError } from '../errors.js';
import { formatTransport, parseTransport, type TransportHeader } from '../headers/transport.js';
import { RtspSession, type TrackTransport } from '../session.js';
import { openStream } from './open-stream.js';
import type { Handler, RequestContext } from './request-context.js';

export const setup: Handler = async (ctx) => {
  const { server, conn, req, target } = ctx;
  const header = req.headers.get('Transport');
  if (!header) throw new RtspError(400, 'SETUP needs a Transport header, e.g. Transport: RTP/AVP;unicast;client_port=5000-5001');
  const offers = parseTransport(header);

  let session = ctx.session;
  if (session && session.path !== target.path) {
    throw new RtspError(400, `session ${session.id} plays /${session.path}; set up /${target.path} in a new session`);
  }
  const file = session?.file ?? (await openStream(server, target.path));
  const track = pickTrack(file.tracks, target.trackId, target.path);

  const refusals: string[] = [];
  let chosen: { offer: TransportHeader; transport: TrackTransport } | undefined;
  for (const offer of offers) {
    const t = acceptOffer(offer, ctx, refusals);
    if (t) {
      chosen = { offer, transport: t };
      break;
    }
  }
  if (!chosen) {
    throw new RtspError(461, `none of the offered transports can be used (${refusals.join('; ')}); offer RTP/AVP;unicast;client_port=N-N+1 or RTP/AVP/TCP;interleaved=0-1`);
  }

  if (!session) {
    if (server.sessions.size >= server.config.maxSessions) throw new RtspError(503, `the server is at its limit of ${server.config.maxSessions} sessions; try again later`);
    session = new RtspSession(server.newSessionId(), target.path, file, conn.remoteAddress, conn, server.ports);
    session.playback = new FilePlayback(file, session, {
      mtu: server.config.mtu,
      rtcpIntervalMs: server.config.rtcpInterval * 1000,
      cname: `tidecast@${conn.localAddress}`,
      now: () => performance.now(),
      wall: () => Date.now(),
    });
    server.sessions.set(session.id, session);
    conn.sessions.add(session);
    server.log.info({ session: session.id, path: target.path, peer: conn.remoteAddress }, 'session created');
  }
  const s = session;
  const old = s.tracks.get(track.id)?.transport;
  if (old?.kind === 'tcp') {
    conn.usedChannels.delete(old.rtpChannel);
    conn.usedChannels.delete(old.rtcpChannel);
  }
  const ssrc = s.playback!.activate(track.id);
  s.addTrack({ trackId: track.id, transport: chosen.transport, controlUrl: target.base });
  const tr = chosen.transport;
  if (tr.kind === 'tcp') {
    conn.usedChannels.add(tr.rtpChannel);
    conn.usedChannels.add(tr.rtcpChannel);
  } else {
    // RTCP receiver reports from the client keep the session alive and feed its loss/jitter stats.
    s.cleanups.push(
      server.ports.routeRtcp(tr.address, tr.rtcpPort, (data) => {
        s.touch();
        try {
          for (const p of parseRtcpCompound(data)) {
            if (p.type !== 'rr' && p.type !== 'sr') continue;
            for (const b of p.reports) if (b.ssrc === ssrc) s.noteReceiverReport(track.id, b);
          }
        } catch {
          /* a malformed RTCP packet from a client only loses that report */
        }
      }),
    );
  }

  const reply: TransportHeader = {
    protocol: chosen.offer.protocol,
    lowerTransport: chosen.offer.lowerTransport,
    delivery: 'unicast',
    ssrc,
    extra: [],
    ...(tr.kind === 'udp'
      ? { clientPort: [tr.rtpPort, tr.rtcpPort] as [number, number], serverPort: [server.ports.rtpPort, server.ports.rtcpPort] as [number, number] }
      : { interleaved: [tr.rtpChannel, tr.rtcpChannel] as [number, number] }),
  };
  s.state = 'ready';
  server.log.info({ session: s.id, track: track.id, codec: track.codec, transport: tr.kind }, 'track set up');
  return { headers: { Transport: formatTransport(reply) }, session: s };
};

function pickTrack(tracks: Track[], id: number | undefined, path: string): Track {
  const list = tracks.map((t) => `trackID=${t.id} (${t.codec})`).join(', ');
  if (id === undefined) {
    if (tracks.length === 1) return tracks[0]!;
    throw new RtspError(400, `/${path} has ${tracks.length} tracks; SETUP one at a time with a URL ending in one of: ${list}`);
  }
  const t = tracks[id];
  if (!t) throw new RtspError(404, `/${path} has no track ${id}; its tracks are ${list}`);
  return t;
}

function acceptOffer(offer: TransportHeader, ctx: RequestContext, refusals: string[]): TrackTransport | undefined {
  const { conn } = ctx;
  if (offer.protocol !== 'RTP/AVP') {
    refusals.push(`${offer.protocol} is not supported`);
    return undefined;
  }
  if (offer.delivery === 'multicast') {
    refusals.push('multicast is not offered on this path');
    return undefined;
  }
  if (offer.lowerTransport === 'TCP') {
    let pair = offer.interleaved;
    if (pair && (conn.usedChannels.has(pair[0]) || conn.usedChannels.has(pair[1]))) {
      refusals.push(`interleaved channels ${pair[0]}-${pair[1]} are already in use on this connection`);
      return undefined;
    }
    if (!pair) {
      let c = 0;
      while (conn.usedChannels.has(c) || conn.usedChannels.has(c + 1)) c += 2;
      pair = [c, c + 1];
    }
    if (pair[0] > 255 || pair[1] > 255) {
      refusals.push('interleaved channels must be 0-255');
      return undefined;
    }
    return { kind: 'tcp', rtpChannel: pair[0], rtcpChannel: pair[1] };
  }
  if (!offer.clientPort) {
    refusals.push('UDP needs client_port=RTP-RTCP');
    return undefined;
  }
  // Never send RTP to a third party: a destination= other than the requester could aim our traffic at anyone.
  if (offer.destination && offer.destination !== conn.remoteAddress && !sameHost(offer.destination, conn.remoteAddress)) {
    refusals.push(`destination=${offer.destination} is not the requesting address ${conn.remoteAddress}; RTP goes only to the client that asked`);
    return undefined;
  }
  const [rtp, rtcp] = offer.clientPort;
  if (rtp === 0 || rtcp === 0) {
    refusals.push('client_port 0 is not a usable port');
    return undefined;
  }
  return { kind: 'udp', address: conn.remoteAddress, rtpPort: rtp, rtcpPort: rtcp };
}

function sameHost(a: string, b: string): boolean {
  const strip = (x: string): string => x.replace(/^::ffff:/, '');
  return strip(a) === strip(b);
}
