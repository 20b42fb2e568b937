// RTSP connections, sessions by role and lower transport, and packets dropped for slow readers, from the session directory.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { HttpContext } from '../context.js';

export function registerRtspMetrics(register: Registry, ctx: HttpContext): void {
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
}
