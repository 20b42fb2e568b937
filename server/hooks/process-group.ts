// One hook command: `sh -c` in its own process group, its output read line by line, and a kill that reaches every descendant and leaves no zombie.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Every group still running, killed when the server's process exits so no hook outlives it. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers run synchronously: only kill() is possible, which is all an orphan needs.
  process.on('exit', () => {
    for (const g of liveGroups) signalGroup(g, 'SIGKILL');
  });
}

export interface GroupExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the shell could not be started at all. */
  error?: Error;
}

/** A member of a process group, from /proc (Linux). */
interface Member {
  pid: number;
  ppid: number;
  zombie: boolean;
}

const POLL_MS = 25;

export class GroupProcess {
  readonly child: ChildProcess;
  /** The shell's pid, which is also the group id (detached: setsid). Undefined when spawn failed. */
  readonly pid: number | undefined;
  /** Resolves when the shell has exited and Node has reaped it. */
  readonly exited: Promise<GroupExit>;
  private leaderGone = false;

  /** `onOutputEnd` runs once both stdout and stderr are closed (by the command and whatever inherited them). */
  constructor(command: string, env: NodeJS.ProcessEnv, onLine: (stream: 'stdout' | 'stderr', line: string) => void, onOutputEnd?: () => void) {
    // detached: the shell leads a new session and process group, so a signal to -pid reaches what it starts.
    this.child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
    this.pid = this.child.pid;
    if (this.pid !== undefined) trackGroup(this.pid);
    let open = 2;
    const ended = (): void => {
      if (--open === 0) onOutputEnd?.();
    };
    readLines(this.child, 'stdout', onLine, ended);
    readLines(this.child, 'stderr', onLine, ended);
    this.exited = new Promise((resolve) => {
      // 'exit' means Node has waited for the shell; 'error' without a pid means it never ran.
      this.child.once('exit', (code, signal) => {
        this.leaderGone = true;
        if (this.pid !== undefined && !groupAlive(this.pid)) liveGroups.delete(this.pid);
        resolve({ code, signal });
      });
      this.child.once('error', (error) => {
        if (this.child.pid !== undefined) return;
        this.leaderGone = true;
        resolve({ code: null, signal: null, error });
      });
    });
  }

  /**
   * Ends the whole group: SIGTERM, then SIGKILL after `graceMs`. Descendants are signalled before
   * their parents (leaves first, the shell last), so each dies while its parent still waits for it:
   * an orphan would be left to pid 1, which in a container may never reap it.
   * Resolves when the shell is reaped and the group is empty (or, past twice the grace, gives up).
   */
  async kill(graceMs: number): Promise<void> {
    const pgid = this.pid;
    if (pgid === undefined) return;
    const t0 = performance.now();
    const sent = new Map<number, NodeJS.Signals>();
    for (;;) {
      const elapsed = performance.now() - t0;
      const sig: NodeJS.Signals = elapsed >= graceMs ? 'SIGKILL' : 'SIGTERM';
      const members = groupMembers(pgid);
      const alive = members ? members.filter((m) => !m.zombie) : this.leaderGone ? [] : [{ pid: pgid, ppid: 0, zombie: false }];
      if (alive.length === 0 && this.leaderGone) break;
      if (elapsed >= graceMs * 2) {
        signalGroup(pgid, 'SIGKILL');
        break;
      }
      for (const m of leavesFirst(alive, pgid)) {
        if (sent.get(m.pid) === sig) continue;
        sent.set(m.pid, sig);
        try {
          process.kill(m.pid, sig);
        } catch {
          /* gone meanwhile */
        }
      }
      if (!members) signalGroup(pgid, sig); // no /proc: the whole group at once
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    await this.exited;
    if (!groupAlive(pgid)) liveGroups.delete(pgid);
  }
}

/** Members to signal this round: those with no living child in the group (the shell only when alone). */
function leavesFirst(alive: Member[], leader: number): Member[] {
  const parents = new Set(alive.map((m) => m.ppid));
  const leaves = alive.filter((m) => !parents.has(m.pid) && m.pid !== leader);
  if (leaves.length > 0) return leaves;
  return alive.filter((m) => m.pid === leader || !parents.has(m.pid));
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    /* the group is empty */
  }
}

function groupAlive(pgid: number): boolean {
  const members = groupMembers(pgid);
  if (members) return members.some((m) => !m.zombie);
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The processes whose group is `pgid`, from /proc; undefined where there is no /proc. */
function groupMembers(pgid: number): Member[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const out: Member[] = [];
  for (const d of entries) {
    if (d.charCodeAt(0) > 57 || d.charCodeAt(0) < 48) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${d}/stat`, 'latin1');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) !== pgid) continue;
    out.push({ pid: Number(d), ppid: Number(f[1]), zombie: f[0] === 'Z' || f[0] === 'X' });
  }
  return out;
}

/** Longest line kept; the rest of a longer line is cut (and so is a partial line past it). */
export const MAX_LINE_CHARS = 1000;

function readLines(child: ChildProcess, name: 'stdout' | 'stderr', onLine: (stream: 'stdout' | 'stderr', line: string) => void, onEnd: () => void): void {
  const s = child[name];
  if (!s) return onEnd();
  let partial = '';
  s.setEncoding('utf8');
  const emit = (l: string): void => {
    const t = l.trimEnd();
    if (t) onLine(name, t.length > MAX_LINE_CHARS ? `${t.slice(0, MAX_LINE_CHARS)}…` : t);
  };
  s.on('data', (d: string) => {
    const lines = (partial + d).split(/\r?\n|\r/);
    partial = lines.pop() ?? '';
    for (const l of lines) emit(l);
    if (partial.length > MAX_LINE_CHARS) {
      emit(partial);
      partial = '';
    }
  });
  s.once('close', () => {
    emit(partial);
    partial = '';
    onEnd();
  });
  s.on('error', () => {
    /* the pipe broke with the process: nothing more to read */
  });
}
