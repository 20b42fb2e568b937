// runOnDemand as a path source: the command publishes to the path; core's OnDemandSource starts it with the first reader and stops it after the last.
import type { SourceDriver } from '../core/on-demand.js';
import { HookRun, type HookDeps } from './hook-run.js';

export interface DemandCommandOptions {
  path: string;
  command: string;
  /** Built when the command starts (the ports are known by then). */
  env: () => Record<string, string>;
  restart: boolean;
}

export class DemandCommandSource implements SourceDriver {
  readonly description: string;
  readonly kind = 'runOnDemand';
  private run: HookRun | undefined;
  private lastProblem: string | undefined;

  constructor(
    private readonly opts: DemandCommandOptions,
    private readonly deps: HookDeps,
  ) {
    this.description = 'runOnDemand command';
  }

  get problem(): string | undefined {
    return this.run?.problem ?? this.lastProblem;
  }

  /** The running shell's pid (tests and the API read it). */
  get pid(): number | undefined {
    return this.run?.pid;
  }

  start(): void {
    if (this.run) return;
    this.run = new HookRun({ hook: 'runOnDemand', path: this.opts.path, command: this.opts.command, env: this.opts.env(), restart: this.opts.restart }, this.deps);
  }

  async stop(reason: string): Promise<void> {
    const run = this.run;
    this.run = undefined;
    if (!run) return;
    this.lastProblem = run.problem;
    await run.stop(reason);
  }
}
