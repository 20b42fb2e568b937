// One hook's command while its condition holds: started, logged, counted, restarted with backoff if asked, and killed with its descendants.
import { Backoff } from '../core/backoff.js';
import type { Counters } from '../core/counters.js';
import type { Logger } from '../log.js';
import type { HookName } from '../config-hooks.js';
import { GroupProcess, type GroupExit } from './process-group.js';

/** What every run needs from the server: where it logs and counts, how long a killed command has to exit. */
export interface HookDeps {
  log: Logger;
  counters: Counters;
  /** SIGTERM first; a process still alive after this long gets SIGKILL. */
  graceMs: number;
}

export interface HookSpec {
  hook: HookName;
  path: string;
  command: string;
  env: Record<string, string>;
  /** Start it again (with backoff) when it exits by itself while the run is wanted. */
  restart: boolean;
}

/** A run that lasted this long was healthy: the next restart waits the first delay again. */
const STABLE_MS = 60_000;
/** Output lines logged per run in each window; the rest are counted and reported once per window. */
const LINES_PER_WINDOW = 100;
const WINDOW_MS = 10_000;

export class HookRun {
  private proc: GroupProcess | undefined;
  private wanted = true;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly backoff = new Backoff();
  private lines = 0;
  private dropped = 0;
  private windowStart = 0;
  /** Why the last run ended, in words (for the runOnDemand source's 503s). */
  problem: string | undefined;
  /** Called after each exit the run did not ask for. */
  onExit: ((e: GroupExit) => void) | undefined;
  /** Resolves when the first process has exited (one-shot hooks). */
  readonly firstExit: Promise<void>;
  private firstDone!: () => void;

  constructor(
    readonly spec: HookSpec,
    private readonly deps: HookDeps,
  ) {
    this.firstExit = new Promise((r) => (this.firstDone = r));
    this.launch();
  }

  /** The running shell's pid (its process group), if any. */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** True while a restart is scheduled (backoff). */
  get restartPending(): boolean {
    return this.restartTimer !== undefined;
  }

  /** Kills the command and everything it started; resolves when all of it is reaped. */
  async stop(reason: string): Promise<void> {
    this.wanted = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const p = this.proc;
    if (!p) return;
    await p.kill(this.deps.graceMs);
    this.deps.log.debug({ hook: this.spec.hook, path: this.spec.path, pid: p.pid, reason }, `${this.spec.hook} /${this.spec.path} stopped`);
  }

  private launch(): void {
    const { hook, path, command } = this.spec;
    this.deps.counters.inc('hook_runs', { hook });
    let p: GroupProcess;
    try {
      p = new GroupProcess(command, { ...process.env, ...this.spec.env }, (stream, line) => this.logLine(stream, line), () => this.reportDropped());
    } catch (e) {
      // spawn throws synchronously on bad arguments or exhausted resources (EAGAIN, EMFILE).
      this.ended({ code: null, signal: null, error: e as Error }, performance.now());
      return;
    }
    this.proc = p;
    const startedAt = performance.now();
    this.deps.log.info({ hook, path, pid: p.pid, command }, `${hook} /${path} started`);
    void p.exited.then((e) => {
      if (this.proc === p) this.proc = undefined;
      this.ended(e, startedAt);
    });
  }

  private ended(e: GroupExit, startedAt: number): void {
    const { hook, path } = this.spec;
    // Dropped output lines are reported when the output ends (onOutputEnd), not here: the shell can
    // exit before its last lines are read, and one notice must carry the whole count.
    this.firstDone();
    if (!this.wanted) return; // stopped on purpose: not a failure
    const how = e.error ? `could not run /bin/sh: ${e.error.message}` : e.signal ? `killed by ${e.signal}` : `exited with code ${e.code}${e.code === 127 ? ' (command not found)' : ''}`;
    const failed = e.error !== undefined || e.signal !== null || e.code !== 0;
    this.problem = `${hook} ${how}`;
    if (failed) {
      this.deps.counters.inc('hook_failures', { hook });
      this.deps.log.warn({ hook, path, command: this.spec.command, error: how }, `${hook} /${path} failed: ${how}`);
    } else {
      this.deps.log.info({ hook, path }, `${hook} /${path} finished`);
    }
    this.onExit?.(e);
    if (!this.spec.restart || !this.wanted) return;
    if (performance.now() - startedAt >= STABLE_MS) this.backoff.reset();
    const delay = this.backoff.next();
    this.deps.log.info({ hook, path, retryInS: delay / 1000 }, `${hook} /${path} restarting`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.wanted) this.launch();
    }, delay);
    this.restartTimer.unref();
  }

  private reportDropped(): void {
    if (this.dropped === 0) return;
    const { hook, path } = this.spec;
    this.deps.log.warn({ hook, path, dropped: this.dropped }, `${hook} /${path}: ${this.dropped} output lines not logged (more than ${LINES_PER_WINDOW} in ${WINDOW_MS / 1000} s)`);
    this.dropped = 0;
  }

  /** Bounded: LINES_PER_WINDOW lines per window are logged; past that they are counted and reported once. */
  private logLine(stream: 'stdout' | 'stderr', line: string): void {
    const { hook, path } = this.spec;
    const now = performance.now();
    if (now - this.windowStart >= WINDOW_MS) {
      this.reportDropped();
      this.windowStart = now;
      this.lines = 0;
    }
    if (this.lines++ >= LINES_PER_WINDOW) {
      this.dropped++;
      return;
    }
    this.deps.log.info({ hook, path, stream }, `${hook} /${path}: ${line}`);
  }
}
