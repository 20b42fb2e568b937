// Runs a real client (ffmpeg, ffprobe, gst-launch) with a hard timeout and collects its output.
import { spawn } from 'node:child_process';

export interface RunResult {
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the hard timeout fired and the process had to be killed. */
  timedOut: boolean;
  ms: number;
}

export interface RunOptions {
  /** Hard limit: SIGKILL after this many ms (the test must not hang on a stuck client). */
  timeoutMs: number;
  /** Optional soft stop: send this signal after `stopAfterMs` (e.g. SIGINT so gst-launch -e drains to EOS). */
  stopAfterMs?: number;
  stopSignal?: NodeJS.Signals;
  /** 'pipe': stdin stays open while the child runs, so a child that exits when its stdin closes goes with this process. Default 'ignore'. */
  stdin?: 'ignore' | 'pipe';
}

/** Spawns `cmd args`, never through a shell; resolves when it exits (or is killed on timeout). */
export function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'] as const });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    const stop = opts.stopAfterMs !== undefined
      ? setTimeout(() => child.kill(opts.stopSignal ?? 'SIGINT'), opts.stopAfterMs)
      : undefined;
    const hard = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.once('error', (e) => {
      clearTimeout(hard);
      if (stop) clearTimeout(stop);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(hard);
      if (stop) clearTimeout(stop);
      child.stdin?.destroy();
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        ms: performance.now() - t0,
      });
    });
  });
}

/** Formats a result for an assertion message, so a failure shows what the client printed. */
export function describeRun(cmd: string, args: string[], r: RunResult): string {
  const tail = (s: string): string => (s.length > 4000 ? '…' + s.slice(-4000) : s);
  return `${cmd} ${args.join(' ')}\nexit=${r.code} signal=${r.signal} timedOut=${r.timedOut} ms=${Math.round(r.ms)}\n${stdoutSummary(r.stdout)}\nstderr:\n${tail(r.stderr)}`;
}

/** How much a client wrote and its first and last lines (a hung reader that got frames or none at all). */
function stdoutSummary(out: string): string {
  const lines = out.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) return 'stdout: nothing';
  return `stdout: ${lines.length} lines, first: ${lines[0]!.slice(0, 120)} | last: ${lines[lines.length - 1]!.slice(0, 120)}`;
}
