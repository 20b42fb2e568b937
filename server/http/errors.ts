// HTTP errors as JSON a person can read: one status and reason per problem, mapped from path errors in one place.
import type { Response } from 'express';
import { SourceUnavailableError } from '../core/on-demand.js';
import { PathNotFoundError, PathRedirectError, UnsupportedMediaError } from '../core/path-manager.js';
import { noteRefusal } from './refusal-log.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    /** A list is one header line per value (WWW-Authenticate). */
    readonly headers: Record<string, string | readonly string[]> = {},
  ) {
    super(reason);
    this.name = 'HttpError';
  }
}

/** Path-manager errors to HTTP: 404 unknown path, 415 unplayable file, 503 source down, 302 redirect. */
export function httpErrorOf(e: unknown): HttpError | undefined {
  if (e instanceof HttpError) return e;
  if (e instanceof PathNotFoundError) return new HttpError(404, e.message);
  if (e instanceof UnsupportedMediaError) return new HttpError(415, e.message);
  if (e instanceof SourceUnavailableError) return new HttpError(503, e.message);
  if (e instanceof PathRedirectError) return new HttpError(302, e.message, { Location: e.location });
  return undefined;
}

/**
 * `{ "error": reason, "status": n }`, unless the response has already started (then the socket is
 * closed); either way the refusal is logged once (refusal-log.ts).
 */
export function sendError(res: Response, e: HttpError): void {
  noteRefusal(res, e);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
  // A route may have set its media's type before it refused: the answer is JSON whatever it set.
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.status(e.status).setHeader('Cache-Control', 'no-store').json({ error: e.reason, status: e.status });
}
