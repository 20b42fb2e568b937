// Prometheus metrics at /metrics: sessions, connections, live streams and their readers, packets and bytes, plus process metrics.
import type { Express } from 'express';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { HttpContext } from '../context.js';
import { registerFileMetrics } from './file-metrics.js';

/** One registry per server (tests run several servers in one process; the global one would mix them). */
export function metricsRegistry(ctx: HttpContext): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register, prefix: 'tidecast_' });

  new Gauge({
    name: 'tidecast_rtsp_connections',
    help: 'Open RTSP connections (TCP and tunnelled)',
    registers: [register],
    collect() {
      this.set(ctx.sessions.connections());
    },
  });
  new Gauge({
    name: 'tidecast_rtsp_sessions',
    help: 'RTSP sessions by role (file, live, publish) and lower transport',
    labelNames: ['role', 'transport'],
    registers: [register],
    collect() {
      this.reset();
      for (const s of ctx.sessions.sessions()) this.inc({ role: s.role, transport: s.transports[0] ?? 'none' });
    },
  });
  new Counter({
    name: 'tidecast_rtsp_dropped_packets_total',
    help: 'Packets not sent to slow readers of the current sessions (queue over its bound)',
    registers: [register],
    collect() {
      this.reset();
      this.inc(ctx.sessions.sessions().reduce((n, s) => n + s.dropped, 0));
    },
  });
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
    help: 'Readers of a live stream (RTSP plus HTTP)',
    labelNames: ['path'],
    registers: [register],
    collect() {
      this.reset();
      for (const s of ctx.paths.liveStreams()) this.set({ path: s.name }, s.readerCount);
    },
  });
  // Counters of the current stream per path: a new publisher starts them again (Prometheus' rate() takes resets).
  new Counter({
    name: 'tidecast_stream_packets_total',
    help: 'RTP packets received from the source of a live stream',
    labelNames: ['path'],
    registers: [register],
    collect() {
      this.reset();
      for (const s of ctx.paths.liveStreams()) this.inc({ path: s.name }, s.packets);
    },
  });
  new Counter({
    name: 'tidecast_stream_bytes_total',
    help: 'RTP bytes received from the source of a live stream',
    labelNames: ['path'],
    registers: [register],
    collect() {
      this.reset();
      for (const s of ctx.paths.liveStreams()) this.inc({ path: s.name }, s.bytes);
    },
  });
  registerFileMetrics(register, ctx);
  return register;
}

export function installMetrics(app: Express, ctx: HttpContext): void {
  const register = metricsRegistry(ctx);
  app.get('/metrics', async (_req, res, next) => {
    try {
      const body = await register.metrics();
      res.setHeader('Content-Type', register.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.send(body);
    } catch (e) {
      next(e);
    }
  });
}
