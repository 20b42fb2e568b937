// Turns one parsed request into one response: version, CSeq, method, session and state checks, then the handler.
import { RtspError } from './errors.js';
import { parseCSeq } from './headers/cseq.js';
import { formatSession } from './headers/session.js';
import { checkAccess } from './access.js';
import { checkEncryption } from './tls/policy.js';
import type { RtspRequest, RtspResponse } from './message.js';
import { describe } from './methods/describe.js';
import { checkRedirect } from './methods/open-stream.js';
import { checkPlacement } from './methods/front.js';
import { getParameter, options, setParameter, teardown } from './methods/basic.js';
import { pause, play } from './methods/play.js';
import { announce, record } from './methods/publish.js';
import { setup } from './methods/setup.js';
import type { ConnectionInfo, Handler, HandlerResult } from './methods/request-context.js';
import { errorResponse, response } from './response.js';
import type { ServerContext } from './context.js';
import { SERVER_NAME } from './context.js';
import { checkState, IMPLEMENTED_METHODS, isImplemented, type Method } from './state-table.js';
import { parseRtspTarget } from './url.js';
import { clientOf, logRefusal } from './refusal-log.js';
import { hideSecrets } from '../util/hide-secrets.js';

const HANDLERS: Record<Method, Handler> = {
  OPTIONS: options,
  DESCRIBE: describe,
  SETUP: setup,
  PLAY: play,
  PAUSE: pause,
  TEARDOWN: teardown,
  GET_PARAMETER: getParameter,
  SET_PARAMETER: setParameter,
  ANNOUNCE: announce,
  RECORD: record,
};

export interface Dispatched {
  response: RtspResponse;
  after?: () => void;
}

export async function dispatch(server: ServerContext, conn: ConnectionInfo, req: RtspRequest): Promise<Dispatched> {
  const base: Record<string, string> = { Server: SERVER_NAME };
  const cseqRaw = req.headers.get('CSeq');
  // Echo CSeq only when it is a number: anything else (a stray CR, text) must not reach the response.
  if (cseqRaw !== undefined && /^\s*\d{1,10}\s*$/.test(cseqRaw)) base.CSeq = cseqRaw.trim();
  let path: string | undefined;
  try {
    if (/^HTTP\//i.test(req.version)) {
      throw new RtspError(400, `this is the RTSP port and ${req.method} ${req.uri} ${req.version} is an HTTP request; HTTP is served on port ${server.config.httpPort}`);
    }
    // GStreamer's rtspsrc playing a description it was handed (rtsp-sdp://, what sdpdemux redirects to
    // for an SDP with rtsp:// controls) skips OPTIONS and DESCRIBE, so never learns a version and writes 0.0.
    if (req.version !== 'RTSP/1.0' && req.version !== 'RTSP/0.0') {
      throw new RtspError(505, `${req.version} is not supported; this server speaks RTSP/1.0`);
    }
    // RFC 2326 §12.17: CSeq is required in every request. We answer 400 without one, telling the user
    // what to add, rather than guessing a number the client did not send.
    if (cseqRaw === undefined) {
      throw new RtspError(400, `missing CSeq header: every RTSP request needs one, e.g. "CSeq: 1" on the line after "${req.method} ${req.uri} ${req.version}"`);
    }
    parseCSeq(cseqRaw);
    if (!isImplemented(req.method)) {
      const known = /^(REDIRECT)$/.test(req.method) ? ' (a server sends REDIRECT; configure `redirect:` on a path to answer 302)' : '';
      throw new RtspError(501, `method ${req.method} is not implemented${known}; this server implements ${IMPLEMENTED_METHODS.join(', ')}`);
    }
    const method = req.method;
    const target = parseRtspTarget(req.uri);
    path = target.path;
    // rtspEncryption strict: nothing is answered in the clear but the refusal.
    checkEncryption(server, conn, target.path);
    // Permissions and session ownership first: a redirect or a state error must not tell a stranger anything.
    const { session, owner } = await checkAccess(server, conn, req, method, target);
    // A redirected path answers 302 before anything else (ffmpeg follows it from OPTIONS on).
    // A session already here goes on (a drain REDIRECTs it instead).
    if (!session) checkRedirect(server, method, target.path, conn.tunnel);
    // A front, or the origin of --workers: a new reader goes to the node the placement picks (docs/deploy.md).
    if (!session) checkPlacement(server, conn, req, method, target);
    checkState(method, session ? session.state : 'none');
    const result = await HANDLERS[method]({ server, conn, req, target, session, owner });
    // A session belongs to the request that made it (SETUP, ANNOUNCE return it).
    if (result.session && result.session.owner === undefined) result.session.owner = owner;
    return { response: build(result, base, server), ...(result.after ? { after: result.after } : {}) };
  } catch (e) {
    const err = e instanceof RtspError ? e : internal(server, conn, e, req);
    // The one place an RTSP refusal is logged: the path, the client and the reason.
    logRefusal(server, conn, req, err, path);
    return { response: errorResponse(err, base) };
  }
}

function build(r: HandlerResult, base: Record<string, string>, server: ServerContext): RtspResponse {
  const headers: Record<string, string> = { ...base, ...(r.headers ?? {}) };
  // Advertise a timeout 5 s under the real limit: some clients keep alive exactly at the timeout (INTEROP.md).
  if (r.session) headers.Session = formatSession({ id: r.session.id, timeout: Math.max(1, server.config.sessionTimeout - 5) });
  return response(r.status ?? 200, headers, r.body);
}

function internal(server: ServerContext, conn: ConnectionInfo, e: unknown, req: RtspRequest): RtspError {
  const client = clientOf(conn.remoteAddress, conn.remotePort);
  server.log.error({ err: e, client, method: req.method, uri: hideSecrets(req.uri), conn: conn.id }, `${client} ${req.method} ${hideSecrets(req.uri)}: failed with 500 (a server bug): ${(e as Error)?.message ?? String(e)}`);
  return new RtspError(500, `the server failed on this ${req.method}: ${(e as Error)?.message ?? String(e)}`);
}
