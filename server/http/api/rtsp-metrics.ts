// RTSP connections, sessions by role and lower transport, and packets dropped for slow readers, from the session directory.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { HttpContext } from '../context.js';
import { RunningTotals } from './metric-series.js';

export function registerRtspMetrics(register: Registry, ctx: HttpContext): void {
  const dropped = new RunningTotals();
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
    help: 'RTP packets not sent to slow RTSP readers (queue over its bound); a session that ended counts up to the scrape before it ended',
    registers: [register],
    collect() {
      const sessions = ctx.sessions.sessions();
      for (const x of sessions) dropped.read(x.id, {}, x.dropped);
      dropped.keepOnly(new Set(sessions.map((x) => x.id)));
      this.reset();
      this.inc(dropped.series()[0]?.value ?? 0);
    },
  });
}
