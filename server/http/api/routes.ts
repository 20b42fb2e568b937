// The REST API under /api/v1: server status, paths (files and live), sessions of every protocol, the OpenAPI document.
import type { Express, Request, Response } from 'express';
import type { HttpContext } from '../context.js';
import { HttpError } from '../errors.js';
import { filePathRecords, livePathRecords, trackRecord, type FilePathRecord } from './describe.js';
import { installOpenApi } from './openapi.js';
import { PathTraffic } from './path-traffic.js';
import { installSessionRoutes } from './sessions.js';
import { installConfigRoutes } from './config-routes.js';
import { installRecordingRoutes } from './recording-routes.js';
import { installDrainRoutes } from './drain-routes.js';
import { installCaptionRoutes } from './captions-routes.js';

const startedAt = new Date();

export function installApi(app: Express, ctx: HttpContext): void {
  const json = (res: Response, body: unknown): void => {
    // Status changes every second: never cached.
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  };
  const traffic = new PathTraffic(ctx.paths.clients);

  installConfigRoutes(app, ctx);
  app.get('/api/v1/status', (_req, res) => {
    const clients = ctx.paths.clients.list();
    json(res, {
      server: 'tidecast',
      version: ctx.version,
      startedAt: startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      rtspPort: ctx.rtspPort,
      rtspConnections: ctx.sessions.connections(),
      rtspSessions: ctx.sessions.sessions().length,
      liveStreams: ctx.paths.liveStreams().length,
      readers: clients.filter((c) => c.role === 'reader').length,
      publishers: clients.filter((c) => c.role === 'publisher').length,
    });
  });

  app.get('/api/v1/paths', (_req, res) => {
    json(res, { live: livePathRecords(ctx.paths, traffic), files: filePathRecords(ctx.paths) });
  });

  // Path names contain '/', so the name is everything after /api/v1/paths/.
  app.get(/^\/api\/v1\/paths\/(.+)$/, async (req: Request, res: Response, next) => {
    try {
      const name = decodeURIComponent((req.params as Record<string, string>)[0]!);
      const live = livePathRecords(ctx.paths, traffic, name)[0];
      if (live) return json(res, live);
      if (!ctx.paths.isFile(name)) throw new HttpError(404, `no path named "${name}": GET /api/v1/paths lists them`);
      const file = await ctx.paths.open(name);
      const clients = PathTraffic.clientsByPath(ctx.paths.clients).get(name) ?? [];
      const rec: FilePathRecord = { name, kind: 'file', state: 'ready', duration: file.duration, tracks: file.tracks.map(trackRecord), ...traffic.fields(name, clients, undefined) };
      json(res, rec);
    } catch (e) {
      next(e);
    }
  });

  // The cluster as this node sees it in Redis (docs/cluster.md); a server outside a cluster lists no node.
  app.get('/api/v1/cluster', (_req, res) => {
    const c = ctx.paths.cluster;
    json(res, c ? { id: c.id, role: c.role, nodes: c.nodes() } : { id: null, role: null, nodes: [] });
  });

  installSessionRoutes(app, ctx, json);
  installRecordingRoutes(app, ctx, json);
  installDrainRoutes(app, ctx, json);
  installCaptionRoutes(app, ctx, json);
  installOpenApi(app, ctx.version, json);

  app.use('/api', (req, _res, next) => next(new HttpError(404, `no API endpoint ${req.method} ${req.originalUrl}: see /api/v1/openapi.json for the routes`)));
}
