// Builds the configured path sources (relays, ffmpeg, the built-in testsrc) and path rules for a PathManager: with app.ts, the composition root.
import type { Auth } from './auth/auth.js';
import type { Config, PathConfig } from './config.js';
import type { PathManager } from './core/path-manager.js';
import type { Logger } from './log.js';
import { FfmpegSource } from './sources/process/ffmpeg-source.js';
import { splitArgs } from './util/split-args.js';
import { testsrcArgs } from './sources/process/testsrc.js';
import { RelaySource } from './sources/relay/relay-source.js';
import { stripUserinfo } from './sources/relay/rtsp-url.js';

export const TESTSRC_PATH = 'testsrc';

/**
 * Where our own ffmpeg children publish: the RTSP port on loopback when we listen on every address,
 * with the credentials auth gives that path's source (whatever authUsers allows anyone else).
 */
export function publishUrl(host: string, port: number, path: string, creds?: { username: string; password: string }, scheme: 'rtsp' | 'rtsps' = 'rtsp'): string {
  const h = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const login = creds ? `${encodeURIComponent(creds.username)}:${encodeURIComponent(creds.password)}@` : '';
  return `${scheme}://${login}${h}:${port}/${path.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Registers every configured path on `paths`; `rtspPort` is the port actually bound (ffmpeg
 * publishes to it): the RTSPS port with `scheme` rtsps, when rtspEncryption strict refuses plain RTSP.
 * `log` is the process logger: relays log as RELAY, ffmpeg sources as FFMPEG.
 */
export function configurePaths(config: Config, paths: PathManager, rtspPort: number, log: Logger, auth?: Auth, scheme: 'rtsp' | 'rtsps' = 'rtsp'): void {
  const relayLog = log.child({ component: 'RELAY' });
  const ffmpegLog = log.child({ component: 'FFMPEG' });
  const all: Record<string, PathConfig> = { ...config.paths };
  // Built in unless the config names `testsrc` itself (to change or replace it).
  if (!(TESTSRC_PATH in all)) {
    all[TESTSRC_PATH] = { sourceOnDemand: true, sourceOnDemandCloseAfter: 10, sourceOnDemandStartTimeout: 10, sourceProtocol: 'tcp' };
  }
  for (const [name, p] of Object.entries(all)) {
    const relay = p.source !== undefined && p.source !== 'publisher' ? p.source : undefined;
    paths.configure(name, {
      ...(p.redirect !== undefined ? { redirect: p.redirect } : {}),
      ...(p.overridePublisher !== undefined ? { overridePublisher: p.overridePublisher } : {}),
      ...(relay ? { lockedBy: `it relays ${stripUserinfo(relay)}` } : {}),
    });
    const onDemand = { onDemand: p.sourceOnDemand, closeAfterMs: p.sourceOnDemandCloseAfter * 1000, startTimeoutMs: p.sourceOnDemandStartTimeout * 1000 };
    if (relay) {
      paths.addSource(name, new RelaySource(paths, name, { url: relay, transport: p.sourceProtocol, readTimeoutMs: config.readTimeout * 1000 }, relayLog), onDemand);
      continue;
    }
    const builtIn = name === TESTSRC_PATH && p.ffmpeg === undefined && p.redirect === undefined && p.source === undefined;
    if (p.ffmpeg !== undefined || builtIn) {
      const args = p.ffmpeg !== undefined ? splitArgs(p.ffmpeg) : testsrcArgs();
      paths.addSource(name, new FfmpegSource(name, { args, publishUrl: publishUrl(config.host, rtspPort, name, auth?.sourceCredentials(name), scheme) }, ffmpegLog), onDemand);
    }
  }
}
