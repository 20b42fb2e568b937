// Hook commands as real processes: a kill reaches every descendant (even one that ignores SIGTERM) and leaves no zombie;
// output is logged line by line and bounded; restart with backoff; failures counted; runOnInit follows the config.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Counters } from '../../server/core/counters.js';
import { PathManager } from '../../server/core/path-manager.js';
import { HookRun, type HookDeps } from '../../server/hooks/hook-run.js';
import { Hooks } from '../../server/hooks/hooks.js';
import { captureLog } from '../helpers/log-capture.js';
import { killPids, parseEnv, pidGone, pidRunning, waitForFile, waitForPid, writeAtomic } from '../helpers/hook-files.js';
import { waitFor } from '../helpers/read.js';

const dir = mkdtempSync(join(tmpdir(), 'tidecast-hook-run-'));
const f = (name: string): string => join(dir, name);
const started: HookRun[] = [];
const pids: number[] = [];
const hooksToClose: Hooks[] = [];

function deps(graceMs = 3000): HookDeps & { log: ReturnType<typeof captureLog>['logger']; capture: ReturnType<typeof captureLog> } {
  const capture = captureLog('debug');
  return { log: capture.logger, counters: new Counters(), graceMs, capture };
}
function start(command: string, d: HookDeps, restart = false): HookRun {
  const r = new HookRun({ hook: 'runOnReady', path: 'cam', command, env: { TIDECAST_PATH: 'cam' }, restart }, d);
  started.push(r);
  return r;
}

afterEach(async () => {
  await Promise.all([...started.splice(0).map((r) => r.stop('test over')), ...hooksToClose.splice(0).map((h) => h.close())]);
  killPids(pids);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('HookRun', () => {
  it('kills a three-level tree, where the deepest process ignores SIGTERM, and reaps all of it', async () => {
    const d = deps(300);
    // sh -> sh (subshell) -> sleep with SIGTERM ignored; each level waits for the next.
    const run = start(`${writeAtomic(f('t.pid'), '$$')}; ( trap '' TERM; sleep 1000 & ${writeAtomic(f('t.gc'), '$!')}; wait ) & ${writeAtomic(f('t.mid'), '$!')}; wait`, d);
    const [pid, mid, gc] = [await waitForPid(f('t.pid')), await waitForPid(f('t.mid')), await waitForPid(f('t.gc'))];
    pids.push(gc, mid, pid);
    expect(run.pid).toBe(pid);
    expect([pidRunning(pid), pidRunning(mid), pidRunning(gc)]).toEqual([true, true, true]);
    await run.stop('test');
    // stop() resolves only once everything is reaped: no zombie, no orphan.
    expect([pidGone(gc), pidGone(mid), pidGone(pid)]).toEqual([true, true, true]);
    expect(d.counters.value('hook_failures', { hook: 'runOnReady' })).toBe(0);
  });

  it('logs output line by line, tagged and bounded', async () => {
    const d = deps();
    start(`echo first; printf 'x%.0s' $(seq 1 1500); echo; seq 1 300`, d);
    await waitFor(() => d.capture.warnings((l) => l.dropped !== undefined).length > 0, 20_000, 'the dropped-lines notice');
    const lines = d.capture.lines.filter((l) => l.stream !== undefined);
    expect(lines.length).toBe(100);
    expect(lines[0]).toMatchObject({ hook: 'runOnReady', path: 'cam', stream: 'stdout', msg: 'runOnReady /cam: first' });
    const long = lines.find((l) => String(l.msg).includes('xxx'))!;
    expect(String(long.msg).length).toBeLessThan(1100);
    // One notice with the whole count, even when the shell exits before its last lines are read.
    expect(d.capture.warnings((l) => l.dropped !== undefined).map((l) => l.dropped)).toEqual([300 + 2 - 100]);
  });

  it('logs standard error tagged as such', async () => {
    const d = deps();
    // stdout and stderr are two pipes read independently: their lines are checked apart, not in order.
    start(`echo "to stderr" >&2`, d);
    await waitFor(() => d.capture.lines.some((l) => l.stream === 'stderr'), 20_000, 'the stderr line');
    expect(d.capture.lines.find((l) => l.stream === 'stderr')).toMatchObject({ hook: 'runOnReady', path: 'cam', msg: 'runOnReady /cam: to stderr' });
  });

  it('restarts a command that exits while wanted, counting each run and failure, and stops restarting once stopped', async () => {
    const d = deps();
    const run = start('exit 2', d, true);
    await waitFor(() => d.counters.value('hook_runs', { hook: 'runOnReady' }) >= 2, 20_000, 'a restart (after 1 s)');
    expect(d.counters.value('hook_failures', { hook: 'runOnReady' })).toBeGreaterThanOrEqual(1);
    expect(run.problem).toBe('runOnReady exited with code 2');
    await waitFor(() => run.restartPending, 20_000, 'the next restart to be scheduled');
    await run.stop('test');
    expect(run.restartPending).toBe(false);
    expect(run.pid).toBeUndefined();
  });

  it('logs a command that does not exist and counts it as a failure', async () => {
    const d = deps();
    start('tidecast-no-such-command --flag', d);
    await waitFor(() => d.counters.value('hook_failures', { hook: 'runOnReady' }) === 1, 20_000, 'the failure');
    expect(d.capture.warnings()[0]?.msg).toBe('runOnReady /cam failed: exited with code 127 (command not found)');
  });
});

describe('Hooks.recordSegmentComplete', () => {
  it('runs runOnRecordSegmentComplete with the segment in its env (the call the recorder makes)', async () => {
    const paths = new PathManager(dir, { files: undefined as never, ingest: undefined as never });
    const hooks = new Hooks(paths, { rtspPort: 1, httpPort: 2 }, captureLog().logger);
    hooksToClose.push(hooks);
    hooks.configure({ cam: { runOnRecordSegmentComplete: `env > '${f('seg.env.tmp')}' && mv '${f('seg.env.tmp')}' '${f('seg.env')}'` } });
    hooks.recordSegmentComplete('other', { file: '/rec/other/1.mp4', start: new Date(0), duration: 1 });
    hooks.recordSegmentComplete('cam', { file: '/rec/cam/1.mp4', start: new Date('2026-01-02T03:04:05Z'), duration: 59.5 });
    expect(parseEnv(await waitForFile(f('seg.env')))).toMatchObject({
      TIDECAST_PATH: 'cam',
      TIDECAST_SEGMENT_PATH: '/rec/cam/1.mp4',
      TIDECAST_SEGMENT_START: '2026-01-02T03:04:05.000Z',
      TIDECAST_SEGMENT_DURATION: '59.5',
    });
    expect(paths.counters.value('hook_runs', { hook: 'runOnRecordSegmentComplete' })).toBe(1);
  });
});

describe('Hooks.configure', () => {
  it('starts runOnInit for added paths, keeps unchanged ones, restarts changed ones and kills removed ones', async () => {
    const capture = captureLog();
    const paths = new PathManager(dir, { files: undefined as never, ingest: undefined as never });
    const hooks = new Hooks(paths, { rtspPort: 1, httpPort: 2 }, capture.logger, { graceMs: 500 });
    hooksToClose.push(hooks);
    const init = (name: string): string => `${writeAtomic(f(name), '$$')}; exec sleep 1000`;
    hooks.configure({ a: { runOnInit: init('a1') }, b: { runOnInit: init('b1') } });
    const [a1, b1] = [await waitForPid(f('a1')), await waitForPid(f('b1'))];
    pids.push(a1, b1);
    hooks.configure({ a: { runOnInit: init('a1') }, b: { runOnInit: init('b2') }, c: { runOnInit: init('c1') } });
    const [b2, c1] = [await waitForPid(f('b2')), await waitForPid(f('c1'))];
    pids.push(b2, c1);
    await waitFor(() => pidGone(b1), 10_000, 'the old runOnInit of b to be killed');
    expect(pidRunning(a1)).toBe(true);
    hooks.configure({ b: { runOnInit: init('b2') } });
    await waitFor(() => pidGone(a1) && pidGone(c1), 10_000, 'the runOnInit of removed paths to be killed');
    expect(pidRunning(b2)).toBe(true);
    await hooks.close();
    expect(pidGone(b2)).toBe(true);
    expect(paths.counters.value('hook_runs', { hook: 'runOnInit' })).toBe(4);
  });
});
