// The config API: GET /api/v1/config (the running config, secrets masked) and POST/PATCH/DELETE /api/v1/config/paths/<name>.
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { PathEdit } from '../../config-editor.js';
import { maskSecrets } from '../../config-mask.js';
import type { HttpContext } from '../context.js';
import { HttpError } from '../errors.js';

/** Path names contain "/", so the name is everything after the prefix (percent-encoded: "~%5Ecams%2F(.%2B)%24"). */
const PATH_ROUTE = /^\/api\/v1\/config\/paths\/(.+)$/;

/** A path's settings are a few hundred bytes. */
const MAX_BODY = '64kb';

export function installConfigRoutes(app: Express, ctx: HttpContext): void {
  const editor = (): NonNullable<HttpContext['configEditor']> => {
    if (!ctx.configEditor) throw new HttpError(503, 'the config API is not ready yet: try again in a moment');
    return ctx.configEditor;
  };

  app.get('/api/v1/config', (_req, res, next) => {
    try {
      res.setHeader('Cache-Control', 'no-store');
      res.json(maskSecrets(editor().current()));
    } catch (e) {
      next(e);
    }
  });

  // The body is JSON whatever its Content-Type says: `curl -d '{...}'` sends form-urlencoded.
  const body = express.json({ type: () => true, limit: MAX_BODY, strict: false });
  const edit = (op: PathEdit['op']) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      const name = pathName(req);
      const fields: unknown = req.body === undefined ? {} : req.body;
      const r = await editor().editPath(op === 'remove' ? { op, name } : { op, name, fields });
      res.setHeader('Cache-Control', 'no-store');
      if (!r.ok) {
        res.status(r.status).json({ error: r.reasons.join('; '), status: r.status, reasons: r.reasons });
        return;
      }
      res.status(op === 'add' ? 201 : 200).json({ name, ...(r.path ? { path: maskSecrets(r.path) } : { removed: true }), ...(r.file ? { file: r.file } : {}) });
    } catch (e) {
      next(e);
    }
  };
  app.post(PATH_ROUTE, body, edit('add'));
  app.patch(PATH_ROUTE, body, edit('patch'));
  app.delete(PATH_ROUTE, edit('remove'));
}

function pathName(req: Request): string {
  const raw = (req.params as Record<string, string>)[0]!;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, `the path name ${raw} has a malformed percent escape`);
  }
}
