// Prometheus metrics at /metrics (docs/metrics.md lists them): RTSP sessions, live streams, readers and publishers by
// protocol and path, bytes and packets in and out, event counters, RTCP and HLS histograms, event-loop delay, process metrics.
import type { Express } from 'express';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { HttpContext } from '../context.js';
import { registerClientMetrics } from './client-metrics.js';
import { CounterFamilies } from './counter-metrics.js';
import { registerFileMetrics } from './file-metrics.js';
import { registerLoopMetrics } from './loop-metrics.js';
import { foldGaugePaths, RunningTotals } from './metric-series.js';
import { registerObservedMetrics } from './observed-metrics.js';
import { registerRtspMetrics } from './rtsp-metrics.js';
import { registerQosMetrics } from './qos-metrics.js';

export interface TidecastMetrics {
  register: Registry;
  /** The text format body: what runs before each scrape (new counter names, client totals), then every family. */
  scrape(): Promise<string>;
}

/** One registry per server (tests run several servers in one process; the global one would mix them). */
export function metricsRegistry(ctx: HttpContext): TidecastMetrics {
  const register = new Registry();
  const hooks: (() => void)[] = [];
  const before = (fn: () => void): void => void hooks.push(fn);
  collectDefaultMetrics({ register, prefix: 'tidecast_' });

  registerRtspMetrics(register, ctx);
  new Gauge({
    name: 'tidecast_live_streams',
    help: 'Live paths with a running stream',
    registers: [register],
    collect() {
      this.set(ctx.paths.liveStreams().length);
    },
  });
  new Gauge({
    name: 'tidecast_stream_readers',
    help: 'Readers of a live stream (RTSP plus HTTP), by path',
    labelNames: ['path'],
    registers: [register],
    collect() {
      this.reset();
      const rows = ctx.paths.liveStreams().map((s) => ({ labels: { path: s.name }, value: s.readerCount }));
      for (const r of foldGaugePaths(rows)) this.set(r.labels, r.value);
    },
  });
  registerStreamTotals(register, ctx, before);
  registerFileMetrics(register, ctx);
  registerClientMetrics(register, ctx.paths, before);
  registerQosMetrics(register, ctx.paths);
  const families = new CounterFamilies(register, ctx.paths.counters);
  before(() => families.sync());
  registerObservedMetrics(register, ctx.paths.observations);
  registerLoopMetrics(register);
  return {
    register,
    scrape: () => {
      for (const h of hooks) h();
      return register.metrics();
    },
  };
}

/** Packets and bytes in per path, from the live streams' counters (kept monotonic across publishers; see metric-series.ts). */
function registerStreamTotals(register: Registry, ctx: HttpContext, before: (fn: () => void) => void): void {
  const packets = new RunningTotals();
  const bytes = new RunningTotals();
  before(() => {
    const streams = ctx.paths.liveStreams();
    for (const s of streams) {
      packets.read(s, { path: s.name }, s.packets);
      bytes.read(s, { path: s.name }, s.bytes);
    }
    packets.keepOnly(new Set(streams));
    bytes.keepOnly(new Set(streams));
  });
  const families: [string, string, RunningTotals][] = [
    ['tidecast_stream_packets_total', 'RTP packets received from the sources of live streams, by path (a stream that ended counts up to the scrape before it ended)', packets],
    ['tidecast_stream_bytes_total', 'RTP bytes received from the sources of live streams, by path (a stream that ended counts up to the scrape before it ended)', bytes],
  ];
  for (const [name, help, totals] of families) {
    new Counter({
      name,
      help,
      labelNames: ['path'],
      registers: [register],
      collect() {
        this.reset();
        for (const s of totals.series()) this.inc(s.labels, s.value);
      },
    });
  }
}

export function installMetrics(app: Express, ctx: HttpContext): void {
  const metrics = metricsRegistry(ctx);
  app.get('/metrics', async (_req, res, next) => {
    try {
      const body = await metrics.scrape();
      res.setHeader('Content-Type', metrics.register.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.send(body);
    } catch (e) {
      next(e);
    }
  });
}
