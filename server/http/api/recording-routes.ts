// GET /api/v1/recordings (paths with recordings) and /api/v1/recordings/<path> (segments and spans), read from disk.
import type { Express, Request, Response } from 'express';
import type { HttpContext } from '../context.js';
import { HttpError } from '../errors.js';
import { recordedPaths, recordingsOf } from '../../record/index-api.js';

export function installRecordingRoutes(app: Express, ctx: HttpContext, json: (res: Response, body: unknown) => void): void {
  app.get('/api/v1/recordings', async (_req, res, next) => {
    try {
      json(res, { paths: ctx.recordings ? await recordedPaths(ctx.recordings) : [] });
    } catch (e) {
      next(e);
    }
  });
  // Path names contain '/', so the name is everything after /api/v1/recordings/.
  app.get(/^\/api\/v1\/recordings\/(.+)$/, async (req: Request, res: Response, next) => {
    try {
      const name = decodeURIComponent((req.params as Record<string, string>)[0]!);
      const index = ctx.recordings;
      const rec = index ? await recordingsOf(index, name, index.partDurationOf(name)) : undefined;
      if (!rec || rec.segments.length === 0) throw new HttpError(404, `no recording of "${name}": GET /api/v1/recordings lists the recorded paths`);
      json(res, rec);
    } catch (e) {
      next(e);
    }
  });
}
