// ffmpeg source: runs ffmpeg publishing to the path over our own RTSP port; restarts it with backoff, reaps every child.
import { spawn, type ChildProcess } from 'node:child_process';
import { Backoff } from '../../core/backoff.js';
import type { SourceDriver } from '../../core/on-demand.js';
import type { Logger } from '../../log.js';
import { resolveFfmpeg } from './ffmpeg-path.js';

/** SIGTERM first; a child still alive after this long gets SIGKILL. */
const KILL_GRACE_MS = 3000;
/** A child that ran this long before exiting was healthy: the next restart waits 1 s again. */
const STABLE_MS = 60_000;
const STDERR_LINES = 12;

/** Every ffmpeg child of this process, killed when the process exits so none outlives the server. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  live.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers run synchronously: only kill() is possible, which is all an orphan needs.
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

export interface FfmpegSourceOptions {
  /** Input and encoding arguments; the RTSP output is appended. */
  args: string[];
  /** rtsp://127.0.0.1:<our port>/<path>: ffmpeg publishes there (ANNOUNCE/RECORD over TCP). */
  publishUrl: string;
  /** Binary; default resolveFfmpeg() at first start. */
  ffmpeg?: string;
}

export class FfmpegSource implements SourceDriver {
  readonly description = 'ffmpeg';
  readonly kind = 'ffmpeg';
  problem: string | undefined;
  private wanted = false;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly backoff = new Backoff();
  /** Children started so far (tests and the API read it). */
  starts = 0;

  constructor(
    private readonly pathName: string,
    private readonly opts: FfmpegSourceOptions,
    private readonly log: Logger,
  ) {}

  /** The running child's pid, if any. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The full argument list the child runs with. */
  get argv(): string[] {
    return ['-hide_banner', '-nostdin', ...this.opts.args, '-f', 'rtsp', '-rtsp_transport', 'tcp', this.opts.publishUrl];
  }

  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.backoff.reset();
    this.spawnChild();
  }

  async stop(reason: string): Promise<void> {
    this.wanted = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (child) {
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      await this.exited;
      clearTimeout(force);
      this.log.info({ path: this.pathName, pid: child.pid, reason }, `ffmpeg /${this.pathName} stopped`);
    }
    await this.exited;
  }

  private spawnChild(): void {
    let bin: string;
    try {
      bin = this.opts.ffmpeg ?? resolveFfmpeg();
    } catch (e) {
      this.problem = (e as Error).message;
      this.scheduleRestart();
      return;
    }
    const startedAt = performance.now();
    // Same process group as the server (no `detached`): a signal to the group reaches ffmpeg too.
    const child = spawn(bin, this.argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.starts++;
    track(child);
    const tail: string[] = [];
    let partial = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      const lines = (partial + d).split(/\r?\n|\r/);
      partial = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) tail.push(hideUserinfo(l.trim()));
      tail.splice(0, Math.max(0, tail.length - STDERR_LINES));
    });
    let done!: () => void;
    this.exited = new Promise((r) => (done = r));
    let finished = false;
    // 'exit' means Node has waited for the child (no zombie); 'error' without a pid means it never ran.
    const onEnd = (code: number | null, signal: NodeJS.Signals | null, err?: Error): void => {
      if (finished) return;
      finished = true;
      live.delete(child);
      if (this.child === child) this.child = undefined;
      done();
      if (!this.wanted) return;
      if (partial.trim()) tail.push(partial.trim());
      const how = err ? `could not run ${bin}: ${err.message}` : signal ? `killed by ${signal}` : `exited with code ${code}`;
      this.problem = `ffmpeg ${how}${tail.length ? `: ${tail.slice(-3).join(' | ')}` : ''}`;
      if (performance.now() - startedAt >= STABLE_MS) this.backoff.reset();
      this.scheduleRestart();
    };
    child.once('exit', (code, signal) => onEnd(code, signal));
    child.once('error', (err) => {
      if (child.pid === undefined) onEnd(null, null, err);
    });
    if (child.pid !== undefined) this.log.info({ path: this.pathName, pid: child.pid }, `ffmpeg /${this.pathName} started`);
  }

  private scheduleRestart(): void {
    const delay = this.backoff.next();
    this.log.warn({ path: this.pathName, error: this.problem, retryInS: delay / 1000 }, `ffmpeg /${this.pathName} down, restarting`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.wanted) this.spawnChild();
    }, delay);
    this.restartTimer.unref();
  }
}

/**
 * ffmpeg names its input and output URLs as given, credentials and all (our publish URL carries the
 * path's source login): its lines become the path's `problem`, shown in the API and in 503s, without them.
 */
export function hideUserinfo(line: string): string {
  return line.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1');
}
