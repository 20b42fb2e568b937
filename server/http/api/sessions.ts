// /api/v1/sessions: every reader and publisher of every protocol (core/clients.ts), one by id, and kick.
import type { Express, Request, Response } from 'express';
import type { HttpContext } from '../context.js';
import { HttpError } from '../errors.js';

/** Session ids are hex (RTSP) or prefix-number ("hls-3", "http-12", "relay-1"). */
const ONE = /^\/api\/v1\/sessions\/([^/]+)$/;

export function installSessionRoutes(app: Express, ctx: HttpContext, json: (res: Response, body: unknown) => void): void {
  const clients = ctx.paths.clients;
  const idOf = (req: Request): string => decodeURIComponent((req.params as Record<string, string>)[0]!);
  const unknown = (id: string): HttpError => new HttpError(404, `no session "${id}": GET /api/v1/sessions lists them (it may have left already)`);

  app.get('/api/v1/sessions', (_req, res) => {
    json(res, { sessions: clients.list() });
  });

  app.get(ONE, (req, res) => {
    const rec = clients.get(idOf(req));
    if (!rec) throw unknown(idOf(req));
    json(res, rec);
  });

  app.delete(ONE, (req, res) => {
    const id = idOf(req);
    const rec = clients.get(id);
    const q = req.query.reason;
    const reason = typeof q === 'string' && q !== '' ? q.slice(0, 200) : 'kicked through the API';
    if (!rec || !clients.kick(id, reason)) throw unknown(id);
    const user = typeof res.locals.user === 'string' && res.locals.user !== '' ? res.locals.user : undefined;
    ctx.log.info({ session: id, path: rec.path, protocol: rec.protocol, role: rec.role, by: user, reason }, 'session kicked');
    json(res, { kicked: id });
  });
}
