// What an RTSP reader's rendition switching (reader-renditions.ts) may use of the server: the path's renditions from
// the running config (a reload applies), their streams started on demand like any reader's, and the log.
import type { ServerContext } from './context.js';
import type { RenditionAccess } from './reader-renditions.js';
import { sessionWho, whoText } from './who.js';

export function renditionAccess(server: ServerContext): RenditionAccess {
  return {
    renditions: (path) => (Object.hasOwn(server.config.paths, path) ? (server.config.paths[path]!.renditions ?? []) : []),
    open: async (path) => {
      const r = await server.paths.resolve(path);
      if (r.kind !== 'live') throw new Error(`/${path} is not a live path`);
      return r.stream;
    },
    note: (s, message, fields) => {
      const who = sessionWho(s);
      server.log.info({ ...who, session: s.id, path: s.path, ...fields }, `${whoText(who)} /${s.path}: ${message}`);
    },
  };
}
