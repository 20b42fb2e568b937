// The origin's side of `tidecast serve --workers N`: forks the N-1 edge processes, restarts a crashed one, stops them with it.
import { fork, type ChildProcess } from 'node:child_process';
import type { Logger } from '../log.js';
import { EDGE_ENV, edgeMessage, type EdgeMessage, type EdgeSpec } from './messages.js';

export interface SupervisorEvents {
  message(index: number, m: EdgeMessage): void;
  exit(index: number): void;
}

/** A restart waits 0.5 s, doubling per crash up to 30 s; an edge that ran a minute starts the count again. */
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
const STABLE_MS = 60_000;
/** How long a stop waits for an edge's own shutdown before SIGKILL. */
const STOP_GRACE_MS = 10_000;

interface Worker {
  spec: EdgeSpec;
  child: ChildProcess | undefined;
  crashes: number;
  startedAt: number;
  timer: NodeJS.Timeout | undefined;
}

export class EdgeSupervisor {
  private readonly workers: Worker[];
  private stopping = false;

  /** `script` and `args`: this very CLI and its arguments; each edge reads its part from TIDECAST_EDGE. */
  constructor(specs: EdgeSpec[], private readonly script: string, private readonly args: string[], private readonly log: Logger, private readonly on: SupervisorEvents) {
    this.workers = specs.map((spec) => ({ spec, child: undefined, crashes: 0, startedAt: 0, timer: undefined }));
  }

  start(): void {
    for (const w of this.workers) this.spawn(w);
  }

  private spawn(w: Worker): void {
    w.timer = undefined;
    w.startedAt = Date.now();
    const child = fork(this.script, this.args, {
      env: { ...process.env, [EDGE_ENV]: JSON.stringify(w.spec) },
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    w.child = child;
    this.log.info({ worker: w.spec.index, pid: child.pid }, `edge worker ${w.spec.index} started (pid ${child.pid})`);
    child.on('message', (raw) => {
      const m = edgeMessage(raw);
      if (m) this.on.message(w.spec.index, m);
    });
    child.on('error', (e) => this.log.warn({ worker: w.spec.index, err: e.message }, `edge worker ${w.spec.index}: ${e.message}`));
    child.on('exit', (code, signal) => this.exited(w, child, code, signal));
  }

  private exited(w: Worker, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (w.child !== child) return;
    w.child = undefined;
    this.on.exit(w.spec.index);
    if (this.stopping) return;
    w.crashes = Date.now() - w.startedAt > STABLE_MS ? 1 : w.crashes + 1;
    const delay = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (w.crashes - 1));
    this.log.warn(
      { worker: w.spec.index, code, signal, restartInMs: delay },
      `edge worker ${w.spec.index} exited (${signal ?? `code ${code}`}): restarting in ${delay / 1000} s; its readers reconnect through the origin`,
    );
    w.timer = setTimeout(() => this.spawn(w), delay);
  }

  /** SIGTERM to every edge (each says BYE to its readers), SIGKILL after the grace; resolves once all are reaped. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.workers.map(async (w) => {
        clearTimeout(w.timer);
        const child = w.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((ok) => child.once('exit', ok));
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(kill);
      }),
    );
  }
}
