// The server's settings: one zod schema, defaults, a YAML file and CLI flags on top.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const port = z.number().int().min(0).max(65535);

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
    /** Per-reader TCP send queue; past it the reader skips to the next key frame. */
    tcpQueueBytes: z.number().int().min(64 * 1024).default(2 * 1024 * 1024),
    /** A TCP reader whose queue stays full this many seconds is disconnected. */
    slowReaderTimeout: z.number().min(1).default(10),
    maxSessions: z.number().int().min(1).default(2000),
    /** A new publisher on a busy path replaces the old one instead of being refused. */
    overridePublisher: z.boolean().default(false),
    /** Largest GOP (bytes) kept per live stream so new readers start at a key frame at once. */
    gopCacheBytes: z.number().int().min(0).default(16 * 1024 * 1024),
    maxConnections: z.number().int().min(1).default(4000),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    limits: z
      .object({
        maxHeaderBytes: z.number().int().min(512).default(8192),
        maxHeaderCount: z.number().int().min(8).default(64),
        maxBodyBytes: z.number().int().min(1024).default(65536),
      })
      .default({ maxHeaderBytes: 8192, maxHeaderCount: 64, maxBodyBytes: 65536 }),
  })
  .strict();

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
  const lines = r.error.issues.map((i) => `  ${i.path.join('.') || '(top level)'}: ${i.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
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
    try {
      fromFile = (parseYaml(text) as Record<string, unknown> | null) ?? {};
    } catch (e) {
      throw new ConfigError(`config file ${file} is not valid YAML: ${(e as Error).message}`);
    }
    if (typeof fromFile !== 'object' || Array.isArray(fromFile)) throw new ConfigError(`config file ${file} must be a YAML mapping`);
  }
  const merged = { ...fromFile, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  try {
    return makeConfig(merged as ConfigInput);
  } catch (e) {
    if (e instanceof ConfigError && file) throw new ConfigError(`${file}: ${e.message}`);
    throw e;
  }
}
