// vitest global setup: a file the fuzz properties of every test file append their counts to, summed and printed when the run ends.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'tidecast-fuzz-'));
  const file = join(dir, 'tally.tsv');
  // Forks inherit the environment: every test file's fuzz() appends here.
  process.env.TIDECAST_FUZZ_TALLY = file;
  return () => {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      /* no fuzz property ran */
    }
    rmSync(dir, { recursive: true, force: true });
    const rows = text.split('\n').filter(Boolean).map((l) => l.split('\t'));
    if (rows.length === 0) return;
    const inputs = rows.reduce((n, r) => n + Number(r[1]), 0);
    const ms = rows.reduce((n, r) => n + Number(r[2]), 0);
    console.log(`fuzz total: ${inputs} generated inputs in ${rows.length} properties, ${(ms / 1000).toFixed(1)} s of property time (FUZZ_RUNS=${process.env.FUZZ_RUNS ?? 1})`);
  };
}
