// One log line per HTTP error answer (400 and up): the path, the client (address:port, user) and the reason, rate-limited per address.
import type { Request, Response } from 'express';
import { fromAuthorization, fromHttp } from '../auth/credentials.js';
import type { NoticeLog } from '../limits/notice-log.js';
import { hideSecrets } from '../util/hide-secrets.js';

const LOGGER = Symbol('refusal log');

/** What is logged of an HttpError (errors.ts imports this file). */
interface Refusal {
  readonly status: number;
  readonly reason: string;
}

type Note = (e: Refusal) => void;

/** Makes sendError on this response log its refusal through `notices` (installed first in the app). */
export function attachRefusalLog(notices: NoticeLog, req: Request, res: Response): void {
  (res.locals as Record<symbol, Note>)[LOGGER] = (e) => logHttpRefusal(notices, req, e);
}

/** Called by sendError: logs when the app attached a logger to this response. */
export function noteRefusal(res: Response, e: Refusal): void {
  (res.locals as Record<symbol, Note | undefined> | undefined)?.[LOGGER]?.(e);
}

/**
 * `info` for a 401 to a request that presented nothing (the first step of a challenge) and for a
 * 404 (a browser's favicon, a typo); `warn` for every other refusal. A 500 is logged where it failed.
 */
export function logHttpRefusal(notices: NoticeLog, req: Request, e: Refusal): void {
  const presented = fromHttp(req.headers, req.originalUrl ?? req.url, req.method);
  const quiet = e.status === 404 || (e.status === 401 && presented.kind === 'none');
  logRefusalLine(notices, { socket: req.socket, method: req.method, path: req.path, authorization: req.headers.authorization }, e, quiet);
}

/** What a refusal line says of the request (an express request, or a raw tunnel head). */
export interface RefusedRequest {
  socket: { remoteAddress?: string | undefined; remotePort?: number | undefined };
  method: string;
  /** Path without its query (a query is masked anyway). */
  path: string;
  authorization: string | undefined;
}

/** One line (rate-limited per address and status): client address:port, user if named, path, status, reason. */
export function logRefusalLine(notices: NoticeLog, r: RefusedRequest, e: Refusal, quiet = false): void {
  if (e.status < 400 || e.status === 500) return;
  const auth = fromAuthorization(r.authorization, r.method);
  const user = auth.kind === 'basic' ? auth.user : auth.kind === 'digest' ? auth.auth.username : undefined;
  const address = (r.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const port = r.socket.remotePort;
  const client = port === undefined ? address : address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  const path = hideSecrets(r.path);
  const reason = hideSecrets(e.reason);
  const fields = { client, ...(user !== undefined ? { user } : {}), path, method: r.method, status: e.status, reason };
  notices.note(quiet ? 'info' : 'warn', address, `HTTP ${e.status}`, fields, `HTTP ${r.method} ${path} refused with ${e.status} for ${client}: ${reason}`);
}
