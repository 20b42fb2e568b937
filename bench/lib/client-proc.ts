// The load client (bench/load-client.ts) as a child process, so its CPU is measured apart from the server's.
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { LoadResult, LowerTransport } from '../load-client/types.js';
import { ROOT } from './servers.js';

/** Niceness of the load client (needs root; ignored otherwise). */
const CLIENT_NICE = -10;

export type ClientEvent = 'spawned' | 'all-playing' | 'stopping';

export interface ClientRun {
  pid: number;
  /** With --wait-stop: ends the steady window and starts TEARDOWN. */
  stop: () => void;
  done: Promise<{ load?: LoadResult; stderr: string }>;
}

/**
 * Spawns one load client at a higher priority when allowed: on 2 cores a server that saturates
 * the machine must not starve the client into reporting loss or latency that is its own.
 * `extra` are more load-client flags (--range none, --wait-stop, --readers, ...).
 */
export function spawnClient(
  url: string,
  c: { transport: LowerTransport; n: number },
  playSeconds: number,
  extra: string[] = [],
  on: (event: ClientEvent, pid: number) => void = () => {},
): ClientRun {
  const client = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(ROOT, 'bench/load-client.ts'), '--url', url, '--n', String(c.n), '--transport', c.transport, '--play-seconds', String(playSeconds), ...extra],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  try {
    setPriority(client.pid!, CLIENT_NICE);
  } catch {
    /* not root: the client runs at normal priority */
  }
  on('spawned', client.pid!);
  let stderr = '';
  client.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  client.stdin!.on('error', () => {});
  const hard = setTimeout(() => client.kill('SIGKILL'), (playSeconds + 120) * 1000);
  const done = new Promise<{ load?: LoadResult; stderr: string }>((res) => {
    let result: LoadResult | undefined;
    createInterface({ input: client.stdout! }).on('line', (line) => {
      let msg: { event?: string; result?: LoadResult };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        return;
      }
      if (msg.event === 'all-playing' || msg.event === 'stopping') on(msg.event, client.pid!);
      else if (msg.event === 'result') result = msg.result;
    });
    client.once('exit', () => {
      clearTimeout(hard);
      res({ load: result, stderr });
    });
  });
  return { pid: client.pid!, stop: () => client.stdin!.write('stop\n'), done };
}

/** One client that plays `playSeconds` once all its readers play, then tears down. */
export function runClient(
  url: string,
  c: { transport: LowerTransport; n: number },
  playSeconds: number,
  on: (event: ClientEvent, pid: number) => void = () => {},
): Promise<{ load?: LoadResult; stderr: string }> {
  return spawnClient(url, c, playSeconds, [], on).done;
}
