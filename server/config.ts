// The server's settings: one zod schema, defaults, a YAML file and CLI flags on top.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { splitArgs } from './util/split-args.js';
import { multicastRangeProblem } from './util/multicast-range.js';
import { AUTH_CONFIG_FIELDS, checkAuthConfig } from './config-auth.js';
import { TLS_CONFIG_FIELDS, checkTlsConfig } from './config-tls.js';
import { HOOK_PATH_FIELDS, checkHookFields } from './config-hooks.js';
import { RECORD_CONFIG_FIELDS, RECORD_PATH_FIELDS } from './config-record.js';
import { CAPTIONS_PATH_FIELDS } from './config-captions.js';
import { RECORD_PLAYBACK_CONFIG_FIELDS } from './config-replay.js';
import { SAP_CONFIG_FIELDS, SAP_PATH_FIELDS } from './config-sap.js';
import { DRAIN_CONFIG_FIELDS } from './config-drain.js';
import { RENDITION_PATH_FIELDS, renditionProblems } from './config-renditions.js';
import { CLUSTER_CONFIG_FIELDS } from './config-cluster.js';
import { pathRegexProblem } from './config-pattern.js';
import { QOS_CONFIG_FIELDS, QOS_PATH_FIELDS } from './config-qos.js';

const port = z.number().int().min(0).max(65535);

const isRtspUrl = (u: string): boolean => /^rtsps?:\/\/[^/?#\s]+/i.test(u) && URL.canParse(u);
const rtspUrl = z.string().refine(isRtspUrl, 'must be an rtsp:// or rtsps:// URL with a host, e.g. rtsp://camera.local:554/stream');

/** One configured path: who feeds it (a publisher, a relay, ffmpeg) or where it redirects to. */
export const PathConfigSchema = z
  .object({
    /** 'publisher' (default: RECORD feeds it) or an upstream rtsp://[user:pass@]host/path to relay. */
    source: z
      .string()
      .refine((s) => s === 'publisher' || isRtspUrl(s), 'must be "publisher" or an rtsp:// or rtsps:// URL, e.g. rtsp://user:pass@camera.local/stream')
      .optional(),
    /** Start the relay or ffmpeg with the first reader (true) or with the server (false). */
    sourceOnDemand: z.boolean().default(true),
    /** Seconds after the last reader leaves before an on-demand source stops. */
    sourceOnDemandCloseAfter: z.number().min(0).max(86400).default(10),
    /** Seconds a reader waits for an on-demand source to start before a 503. */
    sourceOnDemandStartTimeout: z.number().min(0.1).max(600).default(10),
    /** ffmpeg arguments (shell-like quoting) whose output is published here; Tidecast adds `-f rtsp ... rtsp://127.0.0.1:<port>/<path>`. */
    ffmpeg: z
      .string()
      .trim()
      .min(1, 'must be the ffmpeg input and encoding arguments, e.g. "-re -i /srv/clip.mp4 -c copy"')
      .superRefine((text, ctx) => {
        try {
          if (!splitArgs(text).includes('-i')) ctx.addIssue({ code: 'custom', message: 'needs an input ("-i ..."); Tidecast adds the RTSP output itself' });
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
        }
      })
      .optional(),
    /** Answer DESCRIBE with 302 Moved Temporarily to this URL (RFC 2326 §11.3.3). */
    redirect: rtspUrl.optional(),
    /** This path's own publisher takeover rule (else the top-level overridePublisher). */
    overridePublisher: z.boolean().optional(),
    /** Lower transport a relay pulls with. */
    sourceProtocol: z.enum(['tcp', 'udp']).default('tcp'),
    /** Commands run on the path's events: runOnInit, runOnDemand, runOnReady, runOnRead... (config-hooks.ts, docs/hooks.md). */
    ...HOOK_PATH_FIELDS,
    /** record, recordPath, recordFormat, recordPartDuration...: override the top-level recording keys (config-record.ts). */
    ...RECORD_PATH_FIELDS,
    /** multicast, sap: a path kept on its multicast groups and announced by SAP (config-sap.ts, docs/sdp-sap.md). */
    ...SAP_PATH_FIELDS,
    /** qos: {thinning, lossCongested, lossFailing}: override the top-level qos keys (config-qos.ts, docs/qos.md). */
    ...QOS_PATH_FIELDS,
    /** Lower-bitrate copies read at `<path>~<name>`, made by ffmpeg on demand (config-renditions.ts, docs/renditions.md). */
    ...RENDITION_PATH_FIELDS,
    /** captions: a T.140 text track on the path's live streams for captions posted to the API (config-captions.ts, docs/subtitles.md). */
    ...CAPTIONS_PATH_FIELDS,
  })
  .strict()
  .superRefine(checkHookFields)
  .superRefine((p, ctx) => {
    const feeds = [
      p.source !== undefined && p.source !== 'publisher' ? 'source (relay URL)' : undefined,
      p.ffmpeg !== undefined ? 'ffmpeg' : undefined,
      p.redirect !== undefined ? 'redirect' : undefined,
    ].filter((x): x is string => x !== undefined);
    if (feeds.length > 1) ctx.addIssue({ code: 'custom', message: `set only one of ${feeds.join(', ')}: a path has one source or one redirect` });
    if (p.source === 'publisher' && p.redirect !== undefined) ctx.addIssue({ code: 'custom', message: 'a redirect path has no publisher: drop "source: publisher" or "redirect"' });
  });

export type PathConfig = z.infer<typeof PathConfigSchema>;

/** Why a path name cannot be used, or undefined when it is fine. */
export function pathNameProblem(name: string): string | undefined {
  if (name.startsWith('~')) return pathRegexProblem(name);
  if (name === '') return 'a path name cannot be empty';
  if (name.startsWith('/') || name.endsWith('/')) return 'write the path without a leading or trailing "/", e.g. "cams/door"';
  const segments = name.split('/');
  if (segments.some((s) => s === '')) return 'a path name cannot contain "//"';
  if (segments.some((s) => s === '.' || s === '..')) return 'path segments "." and ".." are not allowed';
  if (/[\s?#%\\\x00-\x1f]/.test(name)) return 'a path name cannot contain spaces, "?", "#", "%", "\\" or control characters';
  if (/^(?:trackID|trackid|track|streamid|stream)=\d+$/.test(segments[segments.length - 1]!)) return 'the last segment looks like a track control (trackID=N), which SETUP URLs use';
  return undefined;
}

const PathsSchema = z
  // `cam1:` with nothing under it in YAML is null: a publisher path with the defaults.
  .record(z.string(), z.preprocess((v) => v ?? {}, PathConfigSchema))
  .superRefine((paths, ctx) => {
    for (const name of Object.keys(paths)) {
      const problem = pathNameProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: `bad path name: ${problem}` });
      else if (name.startsWith('~') && paths[name]!.sourceOnDemand === false) ctx.addIssue({ code: 'custom', path: [name, 'sourceOnDemand'], message: 'a ~regex path names no path until a reader asks: its sources start on demand' });
    }
    for (const r of renditionProblems(paths)) ctx.addIssue({ code: 'custom', path: [r.path, 'renditions'], message: r.message });
  });

export const ConfigSchema = z
  .object({
    /** RTSP TCP port; when absent: 554 if it can be bound, else 8554 (as live555MediaServer does). */
    rtspPort: port.optional(),
    /** HTTP port for the API, player, progressive streams and HLS. */
    httpPort: port.default(8888),
    /** Server-wide RTP port for UDP transport; RTCP is rtpPort + 1. Must be even (RFC 3550 §11). */
    rtpPort: port.default(8000).refine((p) => p % 2 === 0, 'rtpPort must be even: RTP on an even port, RTCP on the next odd one'),
    /** Address to listen on. */
    host: z.string().default('0.0.0.0'),
    /** Directory whose files are served at rtsp://host:port/<relative path>. */
    mediaDir: z.string().default('./media'),
    /** Largest RTP payload in bytes (packets are this plus the 12-byte header). */
    mtu: z.number().int().min(200).max(65000).default(1400),
    /** Seconds without an RTSP request or RTCP before a session is closed. */
    sessionTimeout: z.number().int().min(5).max(3600).default(60),
    /** Seconds between RTCP sender reports per track. */
    rtcpInterval: z.number().min(0.5).max(60).default(5),
    /** Bytes of demuxed media kept in memory, shared by all readers of a file. */
    fileCacheBytes: z.number().int().min(1 << 20).default(512 * 1024 * 1024),
    /** Seconds a file's demuxer may make no progress before the file is refused as damaged (415). */
    fileDemuxTimeout: z.number().min(1).max(600).default(10),
    /** Per-reader TCP send queue; past it the reader skips to the next key frame. */
    tcpQueueBytes: z.number().int().min(64 * 1024).default(2 * 1024 * 1024),
    /** A TCP reader whose queue stays full this many seconds is disconnected. */
    slowReaderTimeout: z.number().min(1).default(10),
    /** RTSP sessions in all (SETUP or ANNOUNCE past it: 503). */
    maxSessions: z.number().int().min(1).default(2000),
    /** A new publisher on a busy path replaces the old one instead of being refused. */
    overridePublisher: z.boolean().default(false),
    /** Largest GOP (bytes) kept per live stream so new readers start at a key frame at once. */
    gopCacheBytes: z.number().int().min(0).default(16 * 1024 * 1024),
    /** LL-HLS part duration in seconds (parts are whole frames, so the real one is the nearest frame multiple). */
    hlsPartDuration: z.number().min(0.05).max(2).default(0.2),
    /** Shortest HLS segment in seconds: segments start at the first key frame after it. */
    hlsSegmentDuration: z.number().min(0.5).max(30).default(1),
    /** Complete HLS segments a live muxer keeps (and lists); older ones are freed. */
    hlsSegmentCount: z.number().int().min(3).max(60).default(7),
    /** Seconds without a request before a live path's HLS muxer stops (and lets an on-demand source go). */
    hlsIdleTimeout: z.number().min(1).max(3600).default(30),
    /**
     * Connections each port holds at once (the RTSP port and the HTTP port, counted apart), and RTSP
     * connections over every transport (TCP, WebSocket, HTTP tunnels). Past it: 503 with the reason.
     */
    maxConnections: z.number().int().min(1).default(4000),
    /** Connections one client address holds on each port: one host cannot take every slot (503 past it). */
    maxConnectionsPerAddress: z.number().int().min(1).default(200),
    /** RTSP sessions one connection may have open (SETUP or ANNOUNCE past it: 503). */
    maxSessionsPerConnection: z.number().int().min(1).default(16),
    /** RTSP sessions one client address may have open, across its connections (UDP sessions outlive theirs). */
    maxSessionsPerAddress: z.number().int().min(1).default(200),
    /** Seconds a request (head and body) may take from its first byte to its last before 408 and close: slowloris. */
    readTimeout: z.number().min(0.1).max(600).default(10),
    /** Seconds a connection with no session may stay silent before it is closed. */
    idleTimeout: z.number().min(0.1).max(3600).default(60),
    /** Seconds a session may stay set up (or announced) without PLAY or RECORD before it is closed. */
    setupTimeout: z.number().min(0.1).max(3600).default(30),
    /** Live path names ANNOUNCE may hold at once (configured paths do not count); past it: 503. */
    maxAnnouncedPaths: z.number().int().min(1).default(1000),
    /** Media files demuxed at the same time; more wait in a short queue, and past that get 503. */
    maxConcurrentDemuxes: z.number().int().min(1).max(256).default(4),
    /** IPv4 range (CIDR) multicast groups come from: one group per track of a live path (RTP/AVP;multicast). */
    multicastIPRange: z
      .string()
      .default('224.1.0.0/16')
      .superRefine((r, ctx) => {
        const problem = multicastRangeProblem(r);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    /** Port every multicast group carries RTP on; RTCP must be the next port (ffmpeg takes RTCP as RTP + 1). */
    multicastRTPPort: port.default(8002).refine((p) => p % 2 === 0, 'multicastRTPPort must be even: RTP on an even port, RTCP on the next odd one'),
    /** Port every multicast group carries RTCP on: multicastRTPPort + 1. */
    multicastRTCPPort: port.default(8003),
    /** Hops multicast packets may cross (IP TTL). */
    multicastTTL: z.number().int().min(0).max(255).default(16),
    /** Least important log level written (pino levels); `silent` writes nothing. */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Log lines as text (`12:03:04 INF [RTSP] ...`) or JSON; `auto`: text on a terminal, JSON lines otherwise (docs/logs.md). */
    logFormat: z.enum(['auto', 'text', 'json']).default('auto'),
    /** Named paths: relays, ffmpeg sources, redirects, publisher rules; a `~regex` name serves every path it matches ($G1... in source/ffmpeg). A built-in `testsrc` is added unless named here. */
    paths: PathsSchema.default({}),
    /** RTSP parser limits: a request past one is answered 400 (or 413) and the connection ends. */
    limits: z
      .object({
        /** Bytes of one RTSP request or response head (request line and headers). */
        maxHeaderBytes: z.number().int().min(512).default(8192),
        /** Header lines in one RTSP message. */
        maxHeaderCount: z.number().int().min(8).default(64),
        /** Bytes of one RTSP message body (an SDP, a GET_PARAMETER list). */
        maxBodyBytes: z.number().int().min(1024).default(65536),
      })
      .default({ maxHeaderBytes: 8192, maxHeaderCount: 64, maxBodyBytes: 65536 }),
    /** Users, permissions, auth methods, an external auth service (config-auth.ts). */
    ...AUTH_CONFIG_FIELDS,
    /** Certificate, RTSPS and HTTPS ports, rtspEncryption (config-tls.ts). */
    ...TLS_CONFIG_FIELDS,
    /** Recording to disk: record, recordPath, recordFormat, recordPartDuration, recordSegmentDuration, recordDeleteAfter (config-record.ts, docs/recording.md). */
    ...RECORD_CONFIG_FIELDS,
    /** RTSP playback of recordings by time: recordPlaybackMaxBytes (config-replay.ts, docs/playback.md). */
    ...RECORD_PLAYBACK_CONFIG_FIELDS,
    /** sapAddress, sapInterval, publicHost: SAP announcements and the URLs of GET /<path>.sdp (config-sap.ts, docs/sdp-sap.md). */
    ...SAP_CONFIG_FIELDS,
    /** Drain target: where SIGUSR2 and POST /api/v1/drain send the clients (config-drain.ts, docs/drain.md). */
    ...DRAIN_CONFIG_FIELDS,
    /** Reader QoS from RTCP receiver reports and thinning: qos.thinning, qos.lossCongested, qos.lossFailing (config-qos.ts, docs/qos.md). */
    ...QOS_CONFIG_FIELDS,
    /** Origin, edges and a front sharing state in Redis (config-cluster.ts, docs/cluster.md). */
    ...CLUSTER_CONFIG_FIELDS,
  })
  .strict()
  .superRefine(checkAuthConfig)
  .superRefine(checkTlsConfig)
  .refine((c) => c.multicastRTCPPort === c.multicastRTPPort + 1, {
    path: ['multicastRTCPPort'],
    message: 'must be multicastRTPPort + 1: clients such as ffmpeg read RTCP on the port after RTP',
  });

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validates settings, turning zod's issues into one readable line each ("rtpPort: must be even ..."). */
export function makeConfig(input: ConfigInput = {}): Config {
  const r = ConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `  ${formatIssuePath(i.path) || '(top level)'}: ${i.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}

/** `paths["cams/door"].source`: path names hold "/" and ".", so they are quoted. */
function formatIssuePath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => {
      if (typeof p === 'number') return `[${p}]`;
      const key = String(p);
      return /^[A-Za-z_][\w-]*$/.test(key) ? `${i ? '.' : ''}${key}` : `[${JSON.stringify(key)}]`;
    })
    .join('');
}

/** Reads a YAML config file; flags passed on the command line win over it. */
export function loadConfig(file: string | undefined, overrides: ConfigInput = {}): Config {
  let fromFile: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read config file ${file}: ${(e as Error).message}`);
    }
    fromFile = parseConfigText(text, file);
  }
  return mergeConfig(fromFile, overrides, file);
}

/** A config file's text as settings (not yet validated): a YAML mapping. */
export function parseConfigText(text: string, file: string): Record<string, unknown> {
  let fromFile: unknown;
  try {
    fromFile = parseYaml(text) ?? {};
  } catch (e) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(e as Error).message}`);
  }
  if (typeof fromFile !== 'object' || Array.isArray(fromFile)) throw new ConfigError(`config file ${file} must be a YAML mapping`);
  return fromFile as Record<string, unknown>;
}

/** The file's settings with the flags on top, validated (a reload and the config API use it too). */
export function mergeConfig(fromFile: Record<string, unknown>, overrides: ConfigInput = {}, file?: string): Config {
  const merged = { ...fromFile, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  try {
    return makeConfig(merged as ConfigInput);
  } catch (e) {
    if (e instanceof ConfigError && file) throw new ConfigError(`${file}: ${e.message}`);
    throw e;
  }
}
