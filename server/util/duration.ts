// Durations in the config: "1s", "500ms", "10m", "1h30m", "24h", "2d", or a plain number of seconds.

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds of `text` ("1h30m", "1.5s", "90"), or a message saying why it is not a duration. */
export function parseDuration(text: string | number): number | string {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : 'must be a non-negative number of seconds';
  const t = text.trim();
  if (t === '') return 'must be a duration such as "1s", "10s", "1h" or "24h"';
  if (/^\d+(?:\.\d+)?$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    end = re.lastIndex;
  }
  if (end !== t.length || end === 0) return `"${text}" is not a duration: write e.g. "1s", "10s", "1h", "24h", "1h30m" or a number of seconds`;
  return total;
}
