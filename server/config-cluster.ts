// The cluster part of the config (issue 18): origin, edges and a front that share their state in Redis.
import { z } from 'zod';

const url = (schemes: string[], what: string) =>
  z
    .string()
    .trim()
    .refine((u) => {
      try {
        return schemes.includes(new URL(u).protocol);
      } catch {
        return false;
      }
    }, `must be a ${what} URL (${schemes.map((s) => s + '//').join(' or ')}host:port)`);

/** One node of a cluster: what it is, where the others find its state, how readers reach it. */
export const ClusterSchema = z
  .object({
    /** Where every node registers itself and the front reads them: a redis:// URL (docs/cluster.md). */
    redis: url(['redis:', 'rediss:'], 'Redis').default('redis://127.0.0.1:6379'),
    /** origin: serves its own paths; edge: pulls every path not configured otherwise from `origin`; front: sends readers to the best edge (302). */
    role: z.enum(['origin', 'edge', 'front']).default('origin'),
    /** Edges: the origin every unconfigured path is pulled from (rtsp://origin:8554), one pull per path. */
    origin: url(['rtsp:', 'rtsps:'], 'RTSP').optional(),
    /** Edges: readers before the front prefers another edge. */
    capacity: z.number().int().min(1).default(500),
    /** How readers reach this node (the front's Location); default: the host and bound ports. */
    advertise: z
      .object({
        /** Base RTSP URL, e.g. rtsp://edge1:8554. */
        rtsp: url(['rtsp:', 'rtsps:'], 'RTSP').optional(),
        /** Base HTTP URL, e.g. http://edge1:8888. */
        http: url(['http:', 'https:'], 'HTTP').optional(),
      })
      .strict()
      .default({}),
    /** This node's name in Redis (tidecast:node:<id>); default: hostname, role and a random suffix. */
    id: z.string().trim().min(1).max(200).regex(/^[A-Za-z0-9._:@-]+$/, 'letters, digits and . _ : @ - only').optional(),
  })
  .strict()
  .refine((c) => c.role !== 'edge' || c.origin !== undefined, { path: ['origin'], message: 'an edge needs cluster.origin (rtsp://origin:8554): where its paths come from' });

export type ClusterConfig = z.infer<typeof ClusterSchema>;

/** Spread into the top-level ConfigSchema. */
export const CLUSTER_CONFIG_FIELDS = {
  /** Origin, edges and a front sharing state in Redis: redis, role, origin, capacity, advertise, id (docs/cluster.md). Absent: a single server. */
  cluster: ClusterSchema.optional(),
};
