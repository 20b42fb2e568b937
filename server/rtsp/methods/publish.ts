// ANNOUNCE and RECORD (RFC 2326 §10.3, §10.11): a publisher describes its stream, sets up tracks, and goes live.
import { PathBusyError } from '../../core/live-path.js';
import { parseSdpTracks, SdpError } from '../../sdp/parse.js';
import { RtspError } from '../errors.js';
import { RtspSession } from '../session.js';
import { rememberAnnouncedKeys } from '../srtp/setup-srtp.js';
import { srtpOffered } from '../tls/policy.js';
import type { Handler } from './request-context.js';
import { checkAnnouncedRoom, checkSessionRoom } from '../limits.js';
import { requestWho, whoText } from '../who.js';

/** How often UDP reorder buffers release what they held past their delay. */
const FLUSH_MS = 20;

export const announce: Handler = (ctx) => {
  const { server, conn, req, target } = ctx;
  const type = req.headers.get('Content-Type');
  if (!type || !/^application\/sdp\b/i.test(type.trim())) {
    throw new RtspError(415, `ANNOUNCE needs an SDP body with Content-Type: application/sdp${type ? `, not ${type}` : ''}`);
  }
  if (req.body.length === 0) throw new RtspError(400, 'ANNOUNCE has no SDP body');
  if (!target.path) throw new RtspError(400, 'ANNOUNCE needs a path to publish to, e.g. rtsp://host:8554/mystream');
  if (server.paths.isFile(target.path)) {
    throw new RtspError(403, `/${target.path} is a media file and cannot be published to; publish to a name that is not a file`);
  }
  let parsed;
  try {
    parsed = parseSdpTracks(new TextDecoder().decode(req.body));
  } catch (e) {
    if (e instanceof SdpError) throw new RtspError(e.reason === 'unsupported' ? 415 : 400, `the announced SDP cannot be used: ${e.message}`);
    throw e;
  }
  const { tracks, controls } = parsed;
  if (parsed.srtp.some(Boolean) && !srtpOffered(conn)) {
    throw new RtspError(400, `the announced SDP has RTP/SAVP (SRTP) media, which is published only over RTSPS: its key would cross the network in the clear here; publish to rtsps://, or announce RTP/AVP`);
  }
  checkSessionRoom(server, conn);
  checkAnnouncedRoom(server, conn, target.path);
  const s = new RtspSession(server.newSessionId(), target.path, { kind: 'publish', tracks, controls, publisher: undefined }, conn.remoteAddress, conn, server.ports);
  // The publisher's keys (a=key-mgmt per medium) stand in for KeyMgmt on its SETUPs (rtspclientsink
  // sends both); checked before the path is claimed, so a bad key claims nothing.
  rememberAnnouncedKeys(s, parsed.keyMgmt, parsed.srtp);
  s.owner = ctx.owner;
  s.query = target.query;
  try {
    const { evicted } = server.paths.livePath(target.path).claim(
      { sessionId: s.id, address: conn.remoteAddress, since: new Date(), ...(conn.remotePort !== undefined ? { port: conn.remotePort } : {}), ...(target.query ? { query: target.query } : {}) },
      server.config.overridePublisher,
    );
    const old = evicted && server.sessions.get(evicted.sessionId);
    if (old) server.destroySession(old, 'replaced by a new publisher', false);
  } catch (e) {
    if (e instanceof PathBusyError) throw new RtspError(403, e.message);
    throw e;
  }
  server.sessions.set(s.id, s);
  conn.sessions.add(s);
  conn.announced = { path: target.path, sessionId: s.id };
  const who = requestWho(ctx);
  const codecs = tracks.map((t) => t.codec);
  server.log.info({ ...who, session: s.id, path: target.path, tracks: codecs }, `${whoText(who)} ANNOUNCE /${target.path}: ${codecs.join(', ')}`);
  return { session: s };
};

export const record: Handler = (ctx) => {
  const { server, target } = ctx;
  const s = ctx.session!;
  const m = s.media;
  if (m.kind !== 'publish') throw new RtspError(455, `session ${s.id} plays /${s.path}; RECORD is for sessions set up with mode=record`);
  if (target.path !== s.path) throw new RtspError(400, `session ${s.id} publishes /${s.path}, not /${target.path}`);
  if (s.tracks.size === 0) throw new RtspError(455, 'RECORD before any SETUP: set up the tracks with mode=record first');
  const inputs = [...s.tracks.values()].map((t) => ({ trackId: t.trackId, reorder: t.transport.kind === 'udp' }));
  m.publisher = server.paths.publish(s.path, m.tracks, inputs);
  if (s.transportKind === 'udp') {
    const timer = setInterval(() => m.publisher?.flush(performance.now()), FLUSH_MS);
    s.cleanups.push(() => clearInterval(timer));
  }
  s.state = 'recording';
  const who = requestWho(ctx);
  server.log.info({ ...who, session: s.id, path: s.path, transport: s.transportKind }, `${whoText(who)} RECORD /${s.path}: publishing (${s.transportKind})`);
  return { session: s };
};
