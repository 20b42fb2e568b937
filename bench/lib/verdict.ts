// Targets for the benchmarks' real-time figures: each figure measured is held to its bound and printed PASS or MISS.
import { f, table } from './table.js';

export interface Verdict {
  /** What was measured, with its unit, e.g. "ws A/V skew, median |ms| (file)". */
  figure: string;
  value: number;
  /** The bound as a person reads it, e.g. "<= 20". */
  target: string;
  pass: boolean;
  /** Digits to show the value with (default 1). */
  digits?: number;
}

/** value <= max. */
export const atMost = (figure: string, value: number, max: number, digits = 1): Verdict => ({ figure, value, target: `<= ${max}`, pass: value <= max, digits });
/** value >= min. */
export const atLeast = (figure: string, value: number, min: number, digits = 1): Verdict => ({ figure, value, target: `>= ${min}`, pass: value >= min, digits });
/** value < max. */
export const below = (figure: string, value: number, max: number, digits = 1): Verdict => ({ figure, value, target: `< ${max}`, pass: value < max, digits });
/** value > min. */
export const above = (figure: string, value: number, min: number, digits = 1): Verdict => ({ figure, value, target: `> ${min}`, pass: value > min, digits });

/** The verdicts as a table, and a last line counting the misses. NaN (not measured) is a MISS. */
export function verdictTable(vs: Verdict[]): string {
  const rows = [['figure', 'measured', 'target', '']];
  for (const v of vs) rows.push([v.figure, f(v.value, v.digits ?? 1), v.target, v.pass && Number.isFinite(v.value) ? 'PASS' : 'MISS']);
  const misses = vs.filter((v) => !(v.pass && Number.isFinite(v.value))).length;
  return `${table(rows)}\n\n${misses === 0 ? `all ${vs.length} targets met` : `${misses} of ${vs.length} targets MISSED`}`;
}
