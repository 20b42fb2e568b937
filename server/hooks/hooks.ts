// Runs each path's hook commands on its events: configured (runOnInit), ready / not ready, a reader coming and going, a segment recorded.
import type { ClientRecord } from '../core/clients.js';
import type { PathReadyInfo } from '../core/path-events.js';
import type { PathManager } from '../core/path-manager.js';
import type { HookName, HookPathConfig } from '../config-hooks.js';
import type { Logger } from '../log.js';
import { hookEnv, type HookContext, type HookPorts, type RecordSegment } from './env.js';
import { HookRun, type HookDeps } from './hook-run.js';
import { DemandCommandSource } from './on-demand-command.js';

/** The hook settings of the config that serves a path, and the capture groups of a `~regex` name. */
export type HookLookup = (path: string) => { config: HookPathConfig; groups?: readonly string[] } | undefined;

/** SIGTERM first; a hook still alive after this long gets SIGKILL. */
export const HOOK_KILL_GRACE_MS = 3000;

export class Hooks {
  readonly deps: HookDeps;
  private readonly init = new Map<string, { key: string; run: HookRun }>();
  private readonly ready = new Map<string, HookRun>();
  private readonly read = new Map<string, HookRun>();
  private readonly oneShots = new Set<HookRun>();
  private lookup: HookLookup = () => undefined;
  private readonly unsubscribe: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly paths: PathManager,
    private readonly ports: HookPorts,
    log: Logger,
    opts: { graceMs?: number } = {},
  ) {
    this.deps = { log, counters: paths.counters, graceMs: opts.graceMs ?? HOOK_KILL_GRACE_MS };
  }

  /** Listens to the paths' events and the readers: call once, after configure(). */
  start(): void {
    this.unsubscribe.push(
      this.paths.events.on({ ready: (i) => this.onReady(i), notReady: (i) => this.onNotReady(i) }),
      this.paths.clients.on({ added: (r) => this.guard(() => this.onRead(r)), removed: (r) => this.guard(() => this.onUnread(r)) }),
    );
  }

  /**
   * Sets the paths' hook settings (at start, and again on reload): runOnInit starts for paths that
   * gain it, and is killed for paths removed or whose command changed. `lookup` maps a request path
   * to its settings (default: the exact name; a `~regex` config passes its groups).
   */
  configure(configs: Record<string, HookPathConfig>, lookup?: HookLookup): void {
    this.lookup = lookup ?? ((path) => (Object.hasOwn(configs, path) ? { config: configs[path]! } : undefined));
    if (this.closed) return;
    for (const [path, { key, run }] of this.init) {
      const c = configs[path];
      if (c?.runOnInit !== undefined && initKey(c) === key) continue;
      this.init.delete(path);
      void run.stop(c ? 'its runOnInit changed' : 'the path was removed');
    }
    for (const [path, c] of Object.entries(configs)) {
      if (c.runOnInit === undefined || path.startsWith('~') || this.init.has(path)) continue;
      this.init.set(path, { key: initKey(c), run: this.spawn('runOnInit', c.runOnInit, { path }, c.runOnInitRestart) });
    }
  }

  /** The path's source when runOnDemand is set (`groups`: of the `~regex` that made the path): configure-paths registers it. */
  demandSource(path: string, config: HookPathConfig, publishUrl: string, groups: readonly string[] = []): DemandCommandSource | undefined {
    if (config.runOnDemand === undefined) return undefined;
    return new DemandCommandSource(
      { path, command: config.runOnDemand, restart: config.runOnDemandRestart ?? false, env: () => hookEnv(this.ports, { path, publishUrl, ...(groups.length ? { groups } : {}) }) },
      this.deps,
    );
  }

  /** The recorder closed a segment of `path`: runs runOnRecordSegmentComplete. */
  recordSegmentComplete(path: string, segment: RecordSegment): void {
    const m = this.lookup(path);
    if (m?.config.runOnRecordSegmentComplete) this.once('runOnRecordSegmentComplete', m.config.runOnRecordSegmentComplete, { path, segment, ...this.sourceOf(path), ...groups(m) });
  }

  /** Stops listening and kills every hook still running (their descendants too), waiting until all are reaped. */
  async close(): Promise<void> {
    this.closed = true;
    for (const u of this.unsubscribe.splice(0)) u();
    const runs = [...[...this.init.values()].map((i) => i.run), ...this.ready.values(), ...this.read.values(), ...this.oneShots];
    this.init.clear();
    this.ready.clear();
    this.read.clear();
    this.oneShots.clear();
    await Promise.all(runs.map((r) => r.stop('server shutting down')));
  }

  private onReady(info: PathReadyInfo): void {
    const m = this.lookup(info.path);
    if (!m?.config.runOnReady || this.closed) return;
    void this.ready.get(info.path)?.stop('the path got a new source');
    this.ready.set(info.path, this.spawn('runOnReady', m.config.runOnReady, { path: info.path, source: info.source, ...groups(m) }, m.config.runOnReadyRestart));
  }

  private onNotReady(info: PathReadyInfo): void {
    const run = this.ready.get(info.path);
    if (run) {
      this.ready.delete(info.path);
      void run.stop('the path is no longer ready');
    }
    const m = this.lookup(info.path);
    if (m?.config.runOnNotReady) this.once('runOnNotReady', m.config.runOnNotReady, { path: info.path, source: info.source, ...groups(m) });
  }

  private onRead(r: ClientRecord): void {
    if (r.role !== 'reader' || this.closed) return;
    const m = this.lookup(r.path);
    if (!m?.config.runOnRead) return;
    void this.read.get(r.id)?.stop('the reader registered again');
    this.read.set(r.id, this.spawn('runOnRead', m.config.runOnRead, readerContext(r, this.sourceOf(r.path), m), m.config.runOnReadRestart));
  }

  private onUnread(r: ClientRecord): void {
    if (r.role !== 'reader') return;
    const run = this.read.get(r.id);
    if (run) {
      this.read.delete(r.id);
      void run.stop('the reader left');
    }
    const m = this.lookup(r.path);
    if (m?.config.runOnUnread) this.once('runOnUnread', m.config.runOnUnread, readerContext(r, this.sourceOf(r.path), m));
  }

  private sourceOf(path: string): { source?: PathReadyInfo['source'] } {
    const info = this.paths.events.readyPaths().find((i) => i.path === path);
    return info ? { source: info.source } : {};
  }

  private spawn(hook: HookName, command: string, ctx: HookContext, restart = false): HookRun {
    return new HookRun({ hook, path: ctx.path, command, env: hookEnv(this.ports, ctx), restart }, this.deps);
  }

  /** A hook that runs to its end by itself (runOnNotReady, runOnUnread...); only shutdown kills it. */
  private once(hook: HookName, command: string, ctx: HookContext): void {
    if (this.closed) return;
    const run = this.spawn(hook, command, ctx);
    this.oneShots.add(run);
    void run.firstExit.then(() => this.oneShots.delete(run));
  }

  /** A hook never breaks the event that fired it: whatever goes wrong is logged. */
  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.deps.log.warn({ error: (e as Error).message }, 'hook not run');
    }
  }
}

function initKey(c: HookPathConfig): string {
  return JSON.stringify([c.runOnInit, c.runOnInitRestart ?? false]);
}

function groups(m: { groups?: readonly string[] }): { groups?: readonly string[] } {
  return m.groups ? { groups: m.groups } : {};
}

function readerContext(r: ClientRecord, source: { source?: PathReadyInfo['source'] }, m: { groups?: readonly string[] }): HookContext {
  const reader = { protocol: r.protocol, id: r.id, ...(r.address ? { address: r.address } : {}), ...(r.port !== undefined ? { port: r.port } : {}), ...(r.query ? { query: r.query } : {}) };
  return { path: r.path, reader, ...source, ...groups(m) };
}
