// POST /api/v1/sessions/<id>/redirect and POST|GET /api/v1/drain: send one client, or all of them, to another server (docs/drain.md).
import express, { type Express, type Response } from 'express';
import type { DrainOptions } from '../../core/drain.js';
import type { HttpContext } from '../context.js';
import { HttpError } from '../errors.js';

const REDIRECT = /^\/api\/v1\/sessions\/([^/]+)\/redirect$/;
const RTSP_URL = /^rtsps?:\/\/[^\s/]+(\/\S*)?$/;
const HTTP_BASE = /^https?:\/\/[^\s/]+\/?$/;

/** The body's `location` (or the configured one), checked: a client is sent only to an rtsp:// URL. */
function stringField(body: unknown, key: string): string | undefined {
  const v = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new HttpError(400, `"${key}" must be a string`);
  return v.trim();
}

/** Drain options from a request body over the config's `drain:` defaults. */
export function drainOptions(ctx: HttpContext, body: unknown): DrainOptions {
  const conf = ctx.config.drain;
  const location = stringField(body, 'location') ?? conf.location;
  if (location === undefined) throw new HttpError(400, 'no "location": give {"location": "rtsp://other-host:8554"} or configure drain.location');
  if (!RTSP_URL.test(location)) throw new HttpError(400, `"location" must be an rtsp:// URL of the other server, not ${JSON.stringify(location)}`);
  const httpLocation = stringField(body, 'httpLocation') ?? conf.httpLocation;
  if (httpLocation !== undefined && !HTTP_BASE.test(httpLocation)) throw new HttpError(400, `"httpLocation" must be http://host:port, not ${JSON.stringify(httpLocation)}`);
  const g = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).graceSeconds : undefined;
  if (g !== undefined && (typeof g !== 'number' || !(g >= 0) || g > 86400)) throw new HttpError(400, '"graceSeconds" must be a number of seconds from 0 to 86400');
  return { location, ...(httpLocation !== undefined ? { httpLocation } : {}), graceMs: ((g as number | undefined) ?? conf.grace) * 1000 };
}

export function installDrainRoutes(app: Express, ctx: HttpContext, json: (res: Response, body: unknown) => void): void {
  const body = express.json({ type: () => true, limit: 4096, strict: false });
  const clients = ctx.paths.clients;

  app.post(REDIRECT, body, (req, res) => {
    const id = decodeURIComponent((req.params as Record<string, string>)[0]!);
    const location = stringField(req.body, 'location');
    if (location === undefined || !RTSP_URL.test(location)) throw new HttpError(400, 'give {"location": "rtsp://host:port/path"}: the URL the client goes on at');
    const httpLocation = stringField(req.body, 'httpLocation');
    if (httpLocation !== undefined && !HTTP_BASE.test(httpLocation)) throw new HttpError(400, `"httpLocation" must be http://host:port, not ${JSON.stringify(httpLocation)}`);
    const result = clients.redirect(id, location, httpLocation);
    if (result === 'missing') throw new HttpError(404, `no session "${id}": GET /api/v1/sessions lists them (it may have left already)`);
    if (result === 'unsupported') throw new HttpError(409, `session "${id}" cannot be redirected: only RTSP sessions whose connection is open can be sent a REDIRECT`);
    ctx.log.info({ session: id, location }, 'session redirected');
    json(res, { redirected: id, location });
  });

  app.post('/api/v1/drain', body, (req, res) => {
    if (!ctx.drain) throw new HttpError(503, 'this server cannot drain (it was not started by `tidecast serve`)');
    if (ctx.paths.drain.target) throw new HttpError(409, `the server is already draining to ${ctx.paths.drain.target.location}`);
    const opts = drainOptions(ctx, req.body);
    void ctx.drain(opts);
    res.status(202);
    json(res, { draining: true, location: opts.location, httpLocation: opts.httpLocation ?? null, graceSeconds: opts.graceMs / 1000 });
  });

  app.get('/api/v1/drain', (_req, res) => {
    const t = ctx.paths.drain.target;
    json(res, t ? { draining: true, location: t.location, httpLocation: t.httpLocation ?? null, graceSeconds: t.graceMs / 1000, since: new Date(t.since).toISOString() } : { draining: false });
  });
}
