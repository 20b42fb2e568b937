// The fuzz budget and its tally: fixed seeds, FUZZ_RUNS scaling every property (npm run fuzz: 10x), and each property's seed and input count printed and added up.
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';

/** `npm test` runs each property at its base size; FUZZ_RUNS=10 (npm run fuzz) ten times that. */
export const FUZZ_SCALE = scale(process.env.FUZZ_RUNS);

function scale(v: string | undefined): number {
  if (v === undefined || v === '') return 1;
  const n = Number(v);
  if (!(n > 0)) throw new Error(`FUZZ_RUNS must be a positive number (a multiplier of the runs), got ${JSON.stringify(v)}`);
  return n;
}

/** Where test/helpers/fuzz-tally.ts (vitest's global setup) collects the counts of every file. */
const TALLY = process.env.TIDECAST_FUZZ_TALLY;

export function runs(base: number): number {
  return Math.max(1, Math.round(base * FUZZ_SCALE));
}

function report(name: string, seed: number, numRuns: number, ms: number): void {
  console.log(`fuzz ${name}: ${numRuns} generated inputs, seed ${seed}, ${Math.round(ms)} ms`);
  if (TALLY) appendFileSync(TALLY, `${name}\t${numRuns}\t${Math.round(ms)}\n`);
}

/**
 * Checks `property` on `base * FUZZ_RUNS` generated inputs from a fixed seed (a failure prints the
 * seed and the shrunk counterexample, and the same run repeats it).
 */
export function fuzz<T>(name: string, seed: number, base: number, property: fc.IProperty<T>): void {
  const numRuns = runs(base);
  const t0 = performance.now();
  fc.assert(property, { seed, numRuns });
  report(name, seed, numRuns, performance.now() - t0);
}

export async function fuzzAsync<T>(name: string, seed: number, base: number, property: fc.IAsyncProperty<T>): Promise<void> {
  const numRuns = runs(base);
  const t0 = performance.now();
  await fc.assert(property, { seed, numRuns });
  report(name, seed, numRuns, performance.now() - t0);
}
