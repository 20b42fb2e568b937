// Markdown tables for the benchmark reports, from rows or from columns (a header and a cell function each).

/** A number with fixed digits, or '-' when it is not finite. */
export const f = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');

/** rows[0] is the header. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => '| ' + r.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  return [line(rows[0]!), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.slice(1).map(line)].join('\n');
}

/** A table column: its header and how a row shows in it. */
export type Column<T> = readonly [head: string, cell: (row: T) => string];

/** A table of `items`, one row each, through `cols`. */
export function columnTable<T>(items: readonly T[], cols: readonly Column<T>[]): string {
  return table([cols.map(([head]) => head), ...items.map((r) => cols.map(([, cell]) => cell(r)))]);
}
