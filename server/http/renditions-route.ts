// GET /<path>/renditions.json: a path's renditions for players picking one themselves (the web player's ws mode), without starting anything.
import type express from 'express';
import type { Request, Response } from 'express';
import { renditionPathName } from '../config-renditions.js';
import type { HttpContext } from './context.js';

const ROUTE = /^\/(.+)\/renditions\.json$/;

/** What the player reads: the main path and each rendition, highest first. */
export interface RenditionList {
  path: string;
  renditions: { name: string; path: string; height: number; videoBitrate: number }[];
}

export function renditionList(ctx: HttpContext, path: string): RenditionList {
  const own = Object.hasOwn(ctx.config.paths, path) ? ctx.config.paths[path]!.renditions ?? [] : [];
  const renditions = own.map((r) => ({ name: r.name, path: renditionPathName(path, r.name), height: r.height, videoBitrate: r.videoBitrate }));
  renditions.sort((a, b) => b.videoBitrate - a.videoBitrate);
  return { path, renditions };
}

export function installRenditionRoutes(app: express.Express, ctx: HttpContext): void {
  app.get(ROUTE, (req: Request, res: Response) => {
    let path: string;
    try {
      path = req.path.slice(1, -'/renditions.json'.length).split('/').map(decodeURIComponent).join('/');
    } catch {
      res.status(400).json({ error: 'the path has a malformed percent escape', status: 400 });
      return;
    }
    // A path without renditions answers an empty list (not 404): the player asks every path it plays.
    res.setHeader('Cache-Control', 'no-cache');
    res.json(renditionList(ctx, path));
  });
}
