// SETUP: picks a transport the client offered (UDP unicast, TCP interleaved, UDP multicast) for one track (RFC 2326 §10.4).
import type { Track } from '../../media/track.js';
import { NO_SINK } from '../../core/playback.js';
import { RtspError } from '../errors.js';
import { formatKeyMgmt } from '../headers/key-mgmt.js';
import { formatTransport, parseTransport, type TransportHeader } from '../headers/transport.js';
import { srtpForSetup } from '../srtp/setup-srtp.js';
import type { TrackSrtp } from '../srtp/track-srtp.js';
import { encryptionRefusal } from '../tls/policy.js';
import { RtspSession, type SessionMedia, type TrackTransport } from '../session.js';
import { resolveStream } from './open-stream.js';
import { acceptMulticast, holdMulticast, mixedDelivery } from './setup-multicast.js';
import type { Handler, RequestContext } from './request-context.js';
import { checkSessionRoom } from '../limits.js';
import { requestWho, whoText } from '../who.js';
import { observeReceiverReports } from '../rr-metrics.js';
import { playbackOptions } from './playback-options.js';
import { recordedSessionMedia } from '../recorded/open-recorded.js';
import { startOfQuery } from '../recorded/window.js';
import { aggregateUrl } from '../url.js';
import { ReaderQos } from '../reader-qos.js';
import { renditionAccess } from '../rendition-access.js';

export const setup: Handler = async (ctx) => {
  const { server, conn, req, target } = ctx;
  const header = req.headers.get('Transport');
  if (!header) throw new RtspError(400, 'SETUP needs a Transport header, e.g. Transport: RTP/AVP;unicast;client_port=5000-5001');
  const offers = parseTransport(header);
  const record = offers.some((o) => o.mode === 'record' || o.mode === 'receive');

  let session = ctx.session;
  // Publishers may omit the Session that ANNOUNCE returned; the connection remembers it.
  if (!session && record && conn.announced && isUnder(target.path, conn.announced.path)) session = server.sessions.get(conn.announced.sessionId);
  let trackId = target.trackId;
  if (session?.media.kind === 'publish') {
    // A publisher's controls are its own (GStreamer lists audio first with control stream=1):
    // find the medium by the control the URL ends with, not by position.
    trackId = publishedTrack(session.media.controls, req.uri, target.trackId);
    target.path = session.path;
  }
  if (session && session.path !== target.path) {
    throw new RtspError(400, `session ${session.id} is for /${session.path}; set up /${target.path} in a new session`);
  }
  if (session && (session.media.kind === 'publish') !== record) {
    throw new RtspError(455, `session ${session.id} ${session.media.kind === 'publish' ? 'publishes' : 'plays'}; its tracks must all be set up in that mode`);
  }
  if (!session) checkSessionRoom(server, conn);
  const query = target.query ?? (conn.described?.path === target.path ? conn.described.query : undefined);
  // ?start=<RFC 3339> on the URL (or the DESCRIBE before): the recording from then, not the live stream.
  const startMs = session || record ? undefined : startOfQuery(query);
  const opened = startMs !== undefined ? await recordedSessionMedia(ctx, startMs) : undefined;
  const media = session?.media ?? opened?.media ?? (await newSessionMedia(ctx, record));
  const track = pickTrack(session?.mediaTracks ?? tracksOf(media), trackId, target.path);

  // Checked before a transport is chosen: a multicast offer takes a group, which must not leak.
  if (!session && server.sessions.size >= server.config.maxSessions) throw new RtspError(503, `the server is at its limit of ${server.config.maxSessions} sessions; try again later`);
  if (media.kind === 'live' && offers.some((o) => o.delivery === 'multicast')) await server.multicast.open();
  const refusals: string[] = [];
  let chosen: { offer: TransportHeader; transport: TrackTransport } | undefined;
  for (const offer of offers) {
    const t = tryOffer(ctx, offer, { media, track, record, session }, refusals);
    if (t) {
      chosen = { offer, transport: t };
      break;
    }
  }
  if (!chosen) {
    const multicast = media.kind === 'live' ? ', RTP/AVP;multicast' : '';
    const udp = conn.secure && !conn.tunnel ? 'RTP/SAVP;unicast;client_port=N-N+1 (with KeyMgmt)' : `RTP/AVP;unicast;client_port=N-N+1${multicast}`;
    const offer = conn.tunnel ? 'RTP/AVP/TCP;interleaved=0-1' : `${udp} or RTP/AVP/TCP;interleaved=0-1`;
    throw new RtspError(461, `none of the offered transports can be used (${refusals.join('; ')}); offer ${offer}`);
  }
  // RTP/SAVP: the peer's key (KeyMgmt, or its ANNOUNCE) is checked before anything is set up.
  const srtp: TrackSrtp | undefined =
    chosen.offer.protocol === 'RTP/SAVP'
      ? srtpForSetup({ media, trackId: track.id, keyMgmt: req.headers.get('KeyMgmt'), session, conn, path: target.path })
      : undefined;

  if (!session) {
    session = new RtspSession(server.newSessionId(), target.path, media, conn.remoteAddress, conn, server.ports);
    if (media.kind === 'file') media.playback.sink = session;
    session.owner = ctx.owner;
    session.query = query;
    session.recorded = opened?.recorded;
    const s0 = session;
    // A live reader ends with its source: the stream already sent BYE, the session goes, and so does
    // a connection left without sessions (BYE flushed first): over UDP, the closing connection is
    // what tells ffmpeg the stream is over when a BYE datagram was lost.
    if (media.kind === 'live') {
      s0.onSourceEnd = (why) => {
        server.destroySession(s0, `source ended: ${why}`, false);
        conn.sessions.delete(s0);
        // A client that takes ANNOUNCE keeps its connection: the path's next stream is announced to it.
        if (conn.acceptsAnnounce && conn.watching && !conn.closed) conn.watching.set(s0.path, aggregateUrl(target.base, target.trackId));
        else if (conn.sessions.size === 0) conn.end(`the source of /${s0.path} ended: ${why}`);
      };
    }
    server.sessions.set(session.id, session);
    observeReceiverReports(session, server.paths.observations);
    if (media.kind !== 'publish') session.qos = new ReaderQos(session, server.config, server.paths.counters, undefined, renditionAccess(server));
    conn.sessions.add(session);
    const who = requestWho(ctx);
    server.log.info({ ...who, session: session.id, path: target.path, mode: media.kind }, `${whoText(who)} SETUP /${target.path}: session ${session.id} (${media.kind})`);
  }
  const s = session;
  const old = s.tracks.get(track.id)?.transport;
  if (old?.kind === 'tcp') {
    conn.usedChannels.delete(old.rtpChannel);
    conn.usedChannels.delete(old.rtcpChannel);
  }
  s.addTrack({ trackId: track.id, transport: chosen.transport, controlUrl: target.base, ...(srtp ? { srtp } : {}) });
  const tr = chosen.transport;
  if (tr.kind === 'tcp') {
    conn.usedChannels.add(tr.rtpChannel);
    conn.usedChannels.add(tr.rtcpChannel);
  }
  holdMulticast(ctx, s, tr.kind === 'multicast');
  const ssrc = attachTrack(ctx, s, track, tr);

  const reply: TransportHeader = {
    protocol: chosen.offer.protocol,
    lowerTransport: chosen.offer.lowerTransport,
    delivery: tr.kind === 'multicast' ? 'multicast' : 'unicast',
    extra: [],
    ...(ssrc !== undefined ? { ssrc } : {}),
    ...(record ? { mode: 'record' } : {}),
    ...(tr.kind === 'udp'
      ? { clientPort: [tr.rtpPort, tr.rtcpPort] as [number, number], serverPort: [server.ports.rtpPort, server.ports.rtcpPort] as [number, number] }
      : tr.kind === 'multicast'
        ? { destination: tr.group, port: [tr.rtpPort, tr.rtcpPort] as [number, number], ttl: tr.ttl }
        : { interleaved: [tr.rtpChannel, tr.rtcpChannel] as [number, number] }),
  };
  s.state = 'ready';
  const who = requestWho(ctx);
  server.log.info({ ...who, session: s.id, path: s.path, track: track.id, codec: track.codec, transport: tr.kind, srtp: !!srtp, mode: s.media.kind }, `${whoText(who)} SETUP /${s.path} track ${track.id}: ${track.codec} over ${tr.kind}${srtp ? ' (SRTP)' : ''}`);
  const headers: Record<string, string> = { Transport: formatTransport(reply) };
  // The key our packets on this track are sealed with (as gortsplib's server does, even when the SDP had it).
  const ours = srtp?.reply();
  // The URI as the client sent it, a quote or control character escaped (it goes between quotes).
  if (ours) headers.KeyMgmt = formatKeyMgmt({ uri: req.uri.replace(/["\x00-\x1f\x7f]/g, (c) => encodeURIComponent(c)), message: ours });
  return { headers, session: s };
};

const isUnder = (p: string, base: string): boolean => p === base || p.startsWith(`${base}/`);

/** The index of the announced medium whose control the SETUP URL names. */
function publishedTrack(controls: string[], uri: string, fallback: number | undefined): number | undefined {
  const clean = uri.replace(/[?#].*$/, '').replace(/\/$/, '');
  const i = controls.findIndex((c) => c !== '' && (clean === c || clean.endsWith(`/${c}`)));
  if (i >= 0) return i;
  if (controls.length === 1) return 0;
  return fallback;
}

function tracksOf(m: SessionMedia): Track[] {
  return m.kind === 'file' ? m.file.tracks : m.kind === 'live' ? m.stream.tracks : m.tracks;
}

/** What a new session plays (a file, a live stream) or publishes (what ANNOUNCE described). */
async function newSessionMedia(ctx: RequestContext, record: boolean): Promise<SessionMedia> {
  const { server, conn, target } = ctx;
  if (record) {
    throw new RtspError(455, `SETUP with mode=record needs an ANNOUNCE of /${target.path} on this connection first`);
  }
  const r = await resolveStream(server, target.path);
  if (r.kind === 'live') return { kind: 'live', stream: r.stream };
  return {
    kind: 'file',
    file: r.file,
    playback: server.paths.playback(r.file, NO_SINK, playbackOptions(server, conn.localAddress)),
  };
}

/** Wires a set-up track to its source or sink; returns the SSRC to announce when known. */
function attachTrack(ctx: RequestContext, s: RtspSession, track: Track, tr: TrackTransport): number | undefined {
  const { server } = ctx;
  const m = s.media;
  if (m.kind === 'file') m.playback.activate(track.id);
  if (m.kind === 'publish') {
    // The stream exists from RECORD on; its Publisher is made then (see publish.ts), routes now.
    if (tr.kind === 'udp') {
      s.cleanups.push(
        server.ports.routeRtp(tr.address, tr.rtpPort, (data) => {
          const plain = s.openIn(track.id, data, false);
          if (!plain) return;
          s.touch();
          s.bytes += data.length;
          if (m.kind === 'publish') m.publisher?.pushRtp(track.id, plain, performance.now());
        }),
        server.ports.routeRtcp(tr.address, tr.rtcpPort, (data) => {
          const plain = s.openIn(track.id, data, true);
          if (!plain) return;
          s.touch();
          s.bytes += data.length;
          if (m.kind === 'publish') m.publisher?.pushRtcp(track.id, plain);
        }),
      );
    }
    return undefined;
  }
  // Multicast readers send their reports to the group, not to us: requests keep them alive.
  if (tr.kind === 'udp') {
    // RTCP receiver reports from the client keep the session alive and feed its loss/jitter stats.
    s.cleanups.push(
      server.ports.routeRtcp(tr.address, tr.rtcpPort, (data) => {
        if (s.noteRtcp(track.id, data)) s.touch();
      }),
    );
  }
  return s.ssrcOf(track.id);
}

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

function tryOffer(
  ctx: RequestContext,
  offer: TransportHeader,
  to: { media: SessionMedia; track: Track; record: boolean; session: RtspSession | undefined },
  refusals: string[],
): TrackTransport | undefined {
  // Through a tunnel the client has no UDP port we could reach (a browser has none at all): RTP
  // must ride the tunnel as `$` frames.
  if (ctx.conn.tunnel && offer.lowerTransport !== 'TCP') {
    refusals.push(`this connection is an RTSP-over-${ctx.conn.tunnel === 'http' ? 'HTTP' : 'WebSocket'} tunnel, which carries RTP only interleaved: use RTP/AVP/TCP;unicast;interleaved=0-1`);
    return undefined;
  }
  const encryption = encryptionRefusal(ctx.conn, offer);
  if (encryption) {
    refusals.push(encryption);
    return undefined;
  }
  const mixed = mixedDelivery(to.session, to.track.id, offer.delivery === 'multicast');
  if (mixed) {
    refusals.push(mixed);
    return undefined;
  }
  if (offer.delivery === 'multicast' && offer.protocol === 'RTP/AVP') return acceptMulticast(ctx, offer, to.media, to.track, to.record, refusals);
  return acceptOffer(offer, ctx, refusals);
}

function acceptOffer(offer: TransportHeader, ctx: RequestContext, refusals: string[]): TrackTransport | undefined {
  const { conn } = ctx;
  // RTP/SAVP is RTP/AVP with SRTP on top (RFC 3711): the same transports, keys set up by the caller.
  if (offer.protocol !== 'RTP/AVP' && offer.protocol !== 'RTP/SAVP') {
    refusals.push(`${offer.protocol} is not supported`);
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
