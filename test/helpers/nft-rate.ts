// A rate limit on what one local TCP port sends (nftables, root namespace, loopback included): a table of the test's own, deleted after it.
import { run } from './spawn.js';

/**
 * Drops what `port` sends past `kbytesPerS` (`limit rate over`): TCP backs off as on a slow link.
 * `table` must be unique per test file (e.g. `tc_renditions_<pid>`) so concurrent files never collide.
 */
export async function limitPortRate(table: string, port: number, kbytesPerS: number): Promise<void> {
  await removePortLimit(table);
  const rules = `table inet ${table} {\n  chain out {\n    type filter hook output priority 0; policy accept;\n    tcp sport ${port} limit rate over ${kbytesPerS} kbytes/second drop\n  }\n}\n`;
  const r = await nft(['-f', '-'], rules);
  if (r.code !== 0) throw new Error(`nft could not add table ${table}: ${r.stderr.trim()}`);
}

/** Deletes the table (no error when it is not there): call it in afterEach, even after a failure. */
export async function removePortLimit(table: string): Promise<void> {
  await nft(['delete', 'table', 'inet', table]);
}

/** Whether `table` is in the ruleset now. */
export async function hasTable(table: string): Promise<boolean> {
  const r = await nft(['list', 'table', 'inet', table]);
  return r.code === 0;
}

async function nft(args: string[], stdin?: string): Promise<{ code: number | null; stderr: string }> {
  if (stdin === undefined) return run('nft', args, { timeoutMs: 10_000 });
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn('nft', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stderr }));
    child.stdin.end(stdin);
  });
}
