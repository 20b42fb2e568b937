// Bounded label sets of /metrics: gauges fold the smallest paths into "other", running totals stay monotonic
// as sources come, go and restart, and every event counter name becomes a tidecast_<name>_total family.
import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Counters } from '../../server/core/counters.js';
import { CounterFamilies } from '../../server/http/api/counter-metrics.js';
import { foldGaugePaths, RunningTotals } from '../../server/http/api/metric-series.js';
import { parsePrometheusText } from '../helpers/prometheus.js';

const row = (protocol: string, path: string, value: number) => ({ labels: { protocol, path }, value });

describe('foldGaugePaths', () => {
  it.each([
    { name: 'under the cap: unchanged', rows: [row('rtsp-udp', 'a', 1), row('hls', 'b', 2)], max: 2, want: [row('rtsp-udp', 'a', 1), row('hls', 'b', 2)] },
    { name: 'the smallest path folds into other', rows: [row('rtsp-udp', 'a', 1), row('rtsp-udp', 'b', 5), row('rtsp-tcp', 'c', 3)], max: 2, want: [row('rtsp-udp', 'other', 1), row('rtsp-udp', 'b', 5), row('rtsp-tcp', 'c', 3)] },
    { name: 'folded paths of one protocol are summed', rows: [row('hls', 'x', 9), row('hls', 'a', 1), row('hls', 'b', 1)], max: 1, want: [row('hls', 'x', 9), row('hls', 'other', 2)] },
    { name: 'ties keep the first names in order', rows: [row('hls', 'b', 1), row('hls', 'a', 1)], max: 1, want: [row('hls', 'other', 1), row('hls', 'a', 1)] },
    { name: 'nothing', rows: [], max: 1, want: [] },
  ])('$name', ({ rows, max, want }) => {
    expect(foldGaugePaths(rows, max)).toEqual(want);
  });
});

describe('RunningTotals', () => {
  it('adds what each source grew, keeps what a settled source sent, and restarts a source that went down from 0', () => {
    const t = new RunningTotals(2);
    t.read('c1', { path: 'a' }, 100);
    t.read('c2', { path: 'a' }, 50);
    t.read('c1', { path: 'a' }, 160);
    expect(t.series()).toEqual([{ labels: { path: 'a' }, value: 210 }]);
    t.settle('c2', { path: 'a' }, 70);
    t.read('c1', { path: 'a' }, 10); // a restarted counter
    expect(t.series()).toEqual([{ labels: { path: 'a' }, value: 240 }]);
    t.read('c3', { path: 'b' }, 1);
    t.read('c4', { path: 'c' }, 2);
    t.read('c5', { path: 'd' }, 3);
    expect(t.series()).toEqual([
      { labels: { path: 'a' }, value: 240 },
      { labels: { path: 'b' }, value: 1 },
      { labels: { path: 'other' }, value: 5 },
    ]);
    t.keepOnly(new Set(['c1']));
    t.read('c3', { path: 'b' }, 4); // forgotten: its 4 count again from 0
    expect(t.series()[1]).toEqual({ labels: { path: 'b' }, value: 5 });
  });
});

describe('CounterFamilies', () => {
  it('exports every counted name with the union of its labels, known ones from the start, and parses', async () => {
    const register = new Registry();
    const counters = new Counters();
    const families = new CounterFamilies(register, counters);
    counters.inc('hook_runs', { hook: 'runOnReady' }, 2);
    counters.inc('widget_errors');
    counters.inc('widget_errors', { path: 'cam' });
    counters.inc('bad name!', {});
    new Counter({ name: 'tidecast_taken_total', help: 'a family of its own', registers: [register] });
    counters.inc('taken', {});
    families.sync();
    const parsed = await parsePrometheusText(await register.metrics());
    const byName = Object.fromEntries(parsed.map((f) => [f.name, f]));
    expect(byName.tidecast_hook_runs!.samples).toEqual([{ name: 'tidecast_hook_runs_total', labels: { hook: 'runOnReady' }, value: 2 }]);
    expect(byName.tidecast_auth_failures).toMatchObject({ type: 'counter', samples: [] });
    expect(byName.tidecast_widget_errors!.samples).toEqual([
      { name: 'tidecast_widget_errors_total', labels: {}, value: 1 },
      { name: 'tidecast_widget_errors_total', labels: { path: 'cam' }, value: 1 },
    ]);
    expect(parsed.some((f) => f.name.includes('bad'))).toBe(false);
    expect(byName.tidecast_taken!.help).toBe('a family of its own');
    counters.inc('widget_errors', { path: 'cam', kind: 'disk' });
    families.sync();
    const again = await parsePrometheusText(await register.metrics());
    expect(again.find((f) => f.name === 'tidecast_widget_errors')!.samples.map((s) => s.labels)).toContainEqual({ path: 'cam', kind: 'disk' });
  });
});
