// Builds the configured path sources (relays, ffmpeg, the built-in testsrc), path rules and ~regex patterns for a PathManager: with app.ts, the composition root.
import type { Auth } from './auth/auth.js';
import { PathConfigSchema, pathNameProblem, type Config, type PathConfig } from './config.js';
import { compilePathRegex, encodeUrlPath, isPathRegex, matchPathRegex, substituteGroups } from './config-pattern.js';
import type { OnDemandOptions, SourceDriver } from './core/on-demand.js';
import type { PathManager, PathPattern, PathRule } from './core/path-manager.js';
import type { Logger } from './log.js';
import type { HookLookup, Hooks } from './hooks/hooks.js';
import { FfmpegSource } from './sources/process/ffmpeg-source.js';
import { renditionArgs, renditionPathName, type Rendition } from './config-renditions.js';
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

/** What every path's source needs: `rtspPort` is the port actually bound (ffmpeg publishes to it), the RTSPS one under rtspEncryption strict. */
export interface PathSetup {
  paths: PathManager;
  rtspPort: number;
  scheme: 'rtsp' | 'rtsps';
  host: string;
  readTimeoutMs: number;
  log: Logger;
  auth: Auth | undefined;
  /** Makes runOnDemand sources (hooks.demandSource); set before the first path is configured. */
  hooks?: Hooks;
}

/** An edge's implicit pattern: every path no other name or pattern serves is pulled from the origin. */
export const EDGE_PATTERN = '~^(.+)$';

/** A rendition's own path (`cams/door~480p`): ffmpeg reads the main path and publishes here. */
export type RenditionPathConfig = PathConfig & { renditionOf: { path: string; rendition: Rendition } };

function isRendition(p: PathConfig): p is RenditionPathConfig {
  return 'renditionOf' in p;
}

/** Seconds a rendition's reader waits beyond its main path's start: ffmpeg starts, reads a key frame, encodes. */
const RENDITION_START_EXTRA_S = 10;

/**
 * The configured paths plus the built-in `testsrc` (unless the config names `testsrc` itself, to
 * change or replace it) and one path per rendition, so a reload adds, changes and removes those too;
 * on a cluster edge instead of testsrc, last (so every configured pattern goes first), `~^(.+)$` relaying `<cluster.origin>/$G1`.
 */
export function withBuiltInPaths(paths: Config['paths'], cluster?: Config['cluster']): Record<string, PathConfig> {
  const all: Record<string, PathConfig> = { ...paths };
  const edge = cluster?.role === 'edge' && cluster.origin !== undefined;
  // An edge makes no test pattern of its own: its testsrc, like every path, is the origin's.
  if (!(TESTSRC_PATH in all) && !edge) {
    all[TESTSRC_PATH] = { sourceOnDemand: true, sourceOnDemandCloseAfter: 10, sourceOnDemandStartTimeout: 10, sourceProtocol: 'tcp' };
  }
  for (const [name, p] of Object.entries(paths)) {
    for (const r of p.renditions ?? []) {
      const own: RenditionPathConfig = {
        sourceOnDemand: true,
        sourceOnDemandCloseAfter: p.sourceOnDemandCloseAfter,
        sourceOnDemandStartTimeout: p.sourceOnDemandStartTimeout + RENDITION_START_EXTRA_S,
        sourceProtocol: 'tcp',
        renditionOf: { path: name, rendition: r },
      };
      all[renditionPathName(name, r.name)] = own;
    }
  }
  if (edge && !(EDGE_PATTERN in all)) {
    all[EDGE_PATTERN] = PathConfigSchema.parse({ source: `${cluster!.origin!.replace(/\/+$/, '')}/$G1` });
  }
  return all;
}

/** Registers every configured path on `paths`; returns the setup a reload configures further paths with. */
export function configurePaths(config: Config, paths: PathManager, rtspPort: number, log: Logger, auth?: Auth, scheme: 'rtsp' | 'rtsps' = 'rtsp', hooks?: Hooks): PathSetup {
  const setup: PathSetup = { paths, rtspPort, scheme, host: config.host, readTimeoutMs: config.readTimeout * 1000, log, auth, ...(hooks ? { hooks } : {}) };
  for (const [name, p] of Object.entries(withBuiltInPaths(config.paths, config.cluster))) configurePath(setup, name, p);
  return setup;
}

/** One path (or `~regex` pattern) of the config onto the PathManager; its source starts on demand or with startAlwaysOn. */
export function configurePath(setup: PathSetup, name: string, p: PathConfig): void {
  if (isPathRegex(name)) {
    setup.paths.configurePattern(name, patternOf(setup, name, p));
    return;
  }
  setup.paths.configure(name, ruleOf(p, p.source, p.redirect));
  const made = sourceOf(setup, name, p, [], false);
  if (made) setup.paths.addSource(name, made.driver, made.opts);
}

function ruleOf(p: PathConfig, source: string | undefined, redirect: string | undefined): PathRule {
  const relay = source !== undefined && source !== 'publisher' ? source : undefined;
  return {
    ...(redirect !== undefined ? { redirect } : {}),
    ...(p.overridePublisher !== undefined ? { overridePublisher: p.overridePublisher } : {}),
    ...(relay ? { lockedBy: `it relays ${stripUserinfo(relay)}` } : {}),
    ...(p.captions ? { captions: true } : {}),
  };
}

/** The relay or ffmpeg source of `name` ($G0..$G9 filled in from `groups` for a pattern's path), if it has one. */
function sourceOf(setup: PathSetup, name: string, p: PathConfig, groups: string[], pattern: boolean): { driver: SourceDriver; opts: OnDemandOptions } | undefined {
  // A multicast or SAP path is sent and announced while it runs: its source starts with the server (docs/sdp-sap.md).
  const alwaysOn = p.multicast === true || p.sap === true;
  const opts = { onDemand: pattern || (p.sourceOnDemand && !alwaysOn), closeAfterMs: p.sourceOnDemandCloseAfter * 1000, startTimeoutMs: p.sourceOnDemandStartTimeout * 1000 };
  const relay = p.source !== undefined && p.source !== 'publisher' ? substituteGroups(p.source, groups, encodeUrlPath) : undefined;
  if (isRendition(p)) return { driver: renditionSource(setup, name, p), opts };
  if (relay) return { driver: new RelaySource(setup.paths, name, { url: relay, transport: p.sourceProtocol, readTimeoutMs: setup.readTimeoutMs }, setup.log.child({ component: 'RELAY' })), opts };
  if (p.runOnDemand !== undefined && setup.hooks) {
    const url = publishUrl(setup.host, setup.rtspPort, name, setup.auth?.sourceCredentials(name), setup.scheme);
    return { driver: setup.hooks.demandSource(name, p, url, groups.slice(1))!, opts };
  }
  const builtIn = name === TESTSRC_PATH && p.ffmpeg === undefined && p.redirect === undefined && p.source === undefined && p.runOnDemand === undefined;
  if (p.ffmpeg === undefined && !builtIn) return undefined;
  // Groups go into the arguments after splitting: a group with a space stays one argument.
  const args = p.ffmpeg !== undefined ? splitArgs(p.ffmpeg).map((a) => substituteGroups(a, groups)) : testsrcArgs();
  const url = publishUrl(setup.host, setup.rtspPort, name, setup.auth?.sourceCredentials(name), setup.scheme);
  return { driver: new FfmpegSource(name, { args, publishUrl: url }, setup.log.child({ component: 'FFMPEG' })), opts };
}

/** ffmpeg reading the main path on our own RTSP port (with a read-only key of ours) and publishing the rendition. */
function renditionSource(setup: PathSetup, name: string, p: RenditionPathConfig): FfmpegSource {
  const main = p.renditionOf.path;
  const input = publishUrl(setup.host, setup.rtspPort, main, setup.auth?.sourceCredentials(main, 'read'), setup.scheme);
  const output = publishUrl(setup.host, setup.rtspPort, name, setup.auth?.sourceCredentials(name), setup.scheme);
  return new FfmpegSource(name, { args: renditionArgs(input, p.renditionOf.rendition), publishUrl: output }, setup.log.child({ component: 'FFMPEG' }));
}

/**
 * The hook settings that serve a request path: its own name's, else the first `~regex` (in config
 * order, as PathManager picks) that matches it, with that match's groups ($G1.. become G1..).
 * Reads `config.paths` at each call, so a reload's paths apply at once.
 */
export function hookLookup(config: Config): HookLookup {
  // Compiled once per pattern name (a reload's new names compile on first use), not per client event.
  const compiled = new Map<string, RegExp>();
  const regexOf = (name: string): RegExp => {
    let re = compiled.get(name);
    if (!re) compiled.set(name, (re = compilePathRegex(name)));
    return re;
  };
  return (path) => {
    const own = Object.hasOwn(config.paths, path) ? config.paths[path] : undefined;
    if (own) return { config: own };
    if (pathNameProblem(path) !== undefined) return undefined;
    for (const [name, p] of Object.entries(config.paths)) {
      if (!isPathRegex(name)) continue;
      const g = matchPathRegex(regexOf(name), path);
      if (g) return { config: p, groups: g.slice(1) };
    }
    return undefined;
  };
}

/** A `~regex` path: each request path it matches (and that could be a path name) gets the rule and a source of its own. */
function patternOf(setup: PathSetup, name: string, p: PathConfig): PathPattern {
  const re = compilePathRegex(name);
  const groupsOf = (path: string): string[] | undefined => (pathNameProblem(path) === undefined ? matchPathRegex(re, path) : undefined);
  return {
    match(path) {
      const g = groupsOf(path);
      if (!g) return undefined;
      const sub = (s: string | undefined): string | undefined => (s === undefined ? undefined : substituteGroups(s, g, encodeUrlPath));
      return ruleOf(p, sub(p.source), sub(p.redirect));
    },
    source(path) {
      const g = groupsOf(path);
      return g ? sourceOf(setup, path, p, g, true) : undefined;
    },
  };
}

