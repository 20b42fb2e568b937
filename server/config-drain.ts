// The drain part of the config (issue 17): where SIGUSR2 and POST /api/v1/drain send this server's clients, and how long they have.
import { z } from 'zod';
import { parseDuration } from './util/duration.js';

const grace = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const s = parseDuration(v);
  if (typeof s === 'string') {
    ctx.addIssue({ code: 'custom', message: s });
    return z.NEVER;
  }
  return s;
});

const rtspBase = z.string().trim().regex(/^rtsps?:\/\/[^/\s]+\/?$/, 'must be the other server\'s rtsp://host:port (each path is appended)');
const httpBase = z.string().trim().regex(/^https?:\/\/[^/\s]+\/?$/, 'must be the other server\'s http://host:port (each request path is appended)');

/** Spread into the top-level ConfigSchema: the drain target (docs/drain.md). */
export const DRAIN_CONFIG_FIELDS = {
  /** Drain target for SIGUSR2 (and the default of POST /api/v1/drain): `location` rtsp://host:port, `httpLocation` http://host:port, `grace` ("30s"). */
  drain: z
    .object({
      /** The RTSP base URL of the server that takes over: each session is REDIRECTed to <location>/<path>, new requests answer 302 there. */
      location: rtspBase.optional(),
      /** Its HTTP base URL: HLS, progressive and player requests answer 302 there, the web player reconnects there. */
      httpLocation: httpBase.optional(),
      /** How long clients have to move before those left are torn down and the server exits (default "30s"). */
      grace: grace.default(30),
    })
    .strict()
    .default({ grace: 30 }),
};
