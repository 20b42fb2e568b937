// The REST API under /api/v1: server status, paths (files and live), and RTSP sessions, as JSON.
import type { Express, Request, Response } from 'express';
import type { HttpContext } from '../context.js';
import { HttpError } from '../errors.js';
import { filePathRecords, livePathRecords, trackRecord, type FilePathRecord } from './describe.js';
import { installConfigRoutes } from './config-routes.js';

const startedAt = new Date();

export function installApi(app: Express, ctx: HttpContext): void {
  const json = (res: Response, body: unknown): void => {
    // Status changes every second: never cached.
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  };

  installConfigRoutes(app, ctx);
  app.get('/api/v1/status', (_req, res) => {
    json(res, {
      server: 'tidecast',
      version: ctx.version,
      startedAt: startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      rtspPort: ctx.rtspPort,
      rtspConnections: ctx.sessions.connections(),
      rtspSessions: ctx.sessions.sessions().length,
      liveStreams: ctx.paths.liveStreams().length,
    });
  });

  app.get('/api/v1/paths', (_req, res) => {
    json(res, { live: livePathRecords(ctx.paths), files: filePathRecords(ctx.paths) });
  });

  // Path names contain '/', so the name is everything after /api/v1/paths/.
  app.get(/^\/api\/v1\/paths\/(.+)$/, async (req: Request, res: Response, next) => {
    try {
      const name = decodeURIComponent((req.params as Record<string, string>)[0]!);
      const live = livePathRecords(ctx.paths).find((p) => p.name === name);
      if (live) return json(res, live);
      if (!ctx.paths.isFile(name)) throw new HttpError(404, `no path named "${name}": GET /api/v1/paths lists them`);
      const file = await ctx.paths.open(name);
      const rec: FilePathRecord = { name, kind: 'file', duration: file.duration, tracks: file.tracks.map(trackRecord) };
      json(res, rec);
    } catch (e) {
      next(e);
    }
  });

  app.get('/api/v1/sessions', (_req, res) => {
    json(res, { sessions: ctx.sessions.sessions() });
  });

  app.use('/api', (req, _res, next) => next(new HttpError(404, `no API endpoint ${req.method} ${req.originalUrl}: see /api/v1/status, /api/v1/paths, /api/v1/sessions`)));
}
