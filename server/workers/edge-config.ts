// The edge processes of `tidecast serve --workers N`: their ports (each its own, next to the origin's) and their config.
import type { Config, ConfigInput } from '../config.js';
import { EDGE_ENV, type EdgeSpec } from './messages.js';

/** What the origin bound (app.ts's Tidecast has it). */
export interface OriginPorts {
  rtspPort: number;
  httpPort: number;
  rtspsPort: number | undefined;
  httpsPort: number | undefined;
}

/**
 * Edge k listens on the origin's ports + k (RTP/RTCP: rtpPort + 2k), or on free ports when the config
 * says 0. Separate ports, not shared listening sockets: an RTSP session's UDP RTP/RTCP must come from
 * and return to the process that holds the session, and an RTSP-over-HTTP tunnel's GET and POST must
 * reach the same process — a shared accept queue would split both.
 */
export function edgeSpecs(n: number, config: Config, bound: OriginPorts): EdgeSpec[] {
  const next = (configured: number | undefined, actual: number, k: number): number => (configured === 0 ? 0 : actual + k);
  return Array.from({ length: n - 1 }, (_, i) => {
    const k = i + 1;
    return {
      index: k,
      origin: `rtsp://127.0.0.1:${bound.rtspPort}`,
      rtspPort: next(config.rtspPort, bound.rtspPort, k),
      httpPort: next(config.httpPort, bound.httpPort, k),
      rtpPort: config.rtpPort === 0 ? 0 : config.rtpPort + 2 * k,
      ...(bound.rtspsPort !== undefined ? { rtspsPort: next(config.rtspsPort, bound.rtspsPort, k) } : {}),
      ...(bound.httpsPort !== undefined ? { httpsPort: next(config.httpsPort, bound.httpsPort, k) } : {}),
    };
  });
}

/** The EdgeSpec of this process when the origin started it as an edge. */
export function edgeSpecFromEnv(env: NodeJS.ProcessEnv = process.env): EdgeSpec | undefined {
  const raw = env[EDGE_ENV];
  if (!raw) return undefined;
  const spec = JSON.parse(raw) as EdgeSpec;
  if (!Number.isInteger(spec.index) || typeof spec.origin !== 'string') throw new Error(`${EDGE_ENV} is not an edge spec: ${raw}`);
  return spec;
}

/**
 * An edge's settings over the config file: its ports, and one path — every name pulled from the origin
 * on demand, one pull per path however many readers, stopped 5 s after the last one leaves — exactly
 * what an edge on another machine says. Recording stays with the origin.
 */
export function edgeOverrides(spec: EdgeSpec): ConfigInput {
  return {
    rtspPort: spec.rtspPort,
    httpPort: spec.httpPort,
    rtpPort: spec.rtpPort,
    ...(spec.rtspsPort !== undefined ? { rtspsPort: spec.rtspsPort } : {}),
    ...(spec.httpsPort !== undefined ? { httpsPort: spec.httpsPort } : {}),
    record: false,
    paths: { '~^(.+)$': { source: `${spec.origin}/$G1`, sourceOnDemandCloseAfter: 5 } },
  };
}

/**
 * With a `cluster` section (Redis) too, an edge process registers there as what it is: an edge pulling from this origin,
 * its own id (`<id>-worker-k` when the origin names one) and URLs from its own ports, so a Redis front can place readers on it.
 */
export function edgeCluster(cluster: NonNullable<Config['cluster']>, spec: EdgeSpec): NonNullable<Config['cluster']> {
  const { id, ...rest } = cluster;
  return { ...rest, ...(id !== undefined ? { id: `${id}-worker-${spec.index}` } : {}), role: 'edge', origin: spec.origin, advertise: {} };
}

/** Why the edges' ports cannot work (one lands on a port of the origin or of another edge), or undefined. */
export function portClash(specs: EdgeSpec[], config: Config, bound: OriginPorts): string | undefined {
  const taken = new Map<number, string>();
  const claim = (port: number | undefined, who: string): string | undefined => {
    if (port === undefined || port === 0) return undefined;
    const holder = taken.get(port);
    if (holder !== undefined) return `${who} would use port ${port}, which is ${holder}'s`;
    taken.set(port, who);
    return undefined;
  };
  const all: [number | undefined, string][] = [
    [bound.rtspPort, 'the origin RTSP'], [bound.httpPort, 'the origin HTTP'], [config.rtpPort, 'the origin RTP'], [config.rtpPort + 1, 'the origin RTCP'],
    [bound.rtspsPort, 'the origin RTSPS'], [bound.httpsPort, 'the origin HTTPS'],
    ...specs.flatMap((s): [number | undefined, string][] => [
      [s.rtspPort, `edge ${s.index} RTSP`], [s.httpPort, `edge ${s.index} HTTP`], [s.rtpPort, `edge ${s.index} RTP`], [s.rtpPort + 1, `edge ${s.index} RTCP`],
      [s.rtspsPort, `edge ${s.index} RTSPS`], [s.httpsPort, `edge ${s.index} HTTPS`],
    ]),
  ];
  for (const [port, who] of all) {
    const clash = claim(port, who);
    if (clash) return `--workers: ${clash}; edge k listens on each origin port + k (RTP + 2k): keep the ports further apart`;
  }
  return undefined;
}
