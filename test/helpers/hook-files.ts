// What hook commands leave behind for a test: files they write (env dumps, pids) and whether a pid is truly gone (not even a zombie).
import { existsSync, readFileSync } from 'node:fs';
import { waitFor } from './read.js';

/** A shell snippet that dumps the environment to `file` atomically (a reader never sees half of it). */
export const dumpEnv = (file: string): string => `env > '${file}.tmp' && mv '${file}.tmp' '${file}'`;

/** A shell snippet that writes `what` (e.g. "$$", "$!") to `file` atomically. */
export const writeAtomic = (file: string, what: string): string => `echo ${what} > '${file}.tmp' && mv '${file}.tmp' '${file}'`;

/** Waits for `file` to exist and returns its text. */
export async function waitForFile(file: string, ms = 30_000): Promise<string> {
  await waitFor(() => existsSync(file), ms, `${file} to be written`, 50);
  return readFileSync(file, 'utf8');
}

/** Parses `env` output into a map (values with newlines are not expected here). */
export function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Reads a pid written by writeAtomic. */
export async function waitForPid(file: string, ms = 30_000): Promise<number> {
  const pid = Number((await waitForFile(file, ms)).trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`${file} holds no pid`);
  return pid;
}

/** True when the pid does not exist at all: kill(pid, 0) fails with ESRCH and /proc/<pid> is absent (a zombie counts as present). */
export function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') return false;
  }
  return !existsSync(`/proc/${pid}`);
}

/** True while the pid runs (exists and is not a zombie). */
export function pidRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Kills pids a test started indirectly (hook commands), if they are still there. */
export function killPids(pids: number[]): void {
  for (const p of pids.splice(0)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
