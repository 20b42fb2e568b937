// Readers by QoS state (good, congested, failing), by thinning level and on a rendition, from the client registry at each scrape.
import { Gauge, type Registry } from 'prom-client';
import { QOS_STATES } from '../../core/qos.js';
import type { PathManager } from '../../core/path-manager.js';

export function registerQosMetrics(register: Registry, paths: PathManager): void {
  new Gauge({
    name: 'tidecast_readers_qos',
    help: 'RTSP readers by the state of their link as their RTCP receiver reports show it (good, congested, failing; docs/qos.md)',
    labelNames: ['state'],
    registers: [register],
    collect() {
      this.reset();
      const counts = new Map<string, number>(QOS_STATES.map((s) => [s, 0]));
      for (const c of paths.clients.list()) if (c.qos) counts.set(c.qos.state, (counts.get(c.qos.state) ?? 0) + 1);
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'tidecast_readers_thinned',
    help: 'RTSP readers being thinned now, by level (non-reference: no droppable video frames; key-frames: key frames only)',
    labelNames: ['level'],
    registers: [register],
    collect() {
      this.reset();
      const counts = new Map<string, number>([['non-reference', 0], ['key-frames', 0]]);
      for (const c of paths.clients.list()) {
        const t = c.qos?.thinning;
        if (t === 'non-reference' || t === 'key-frames') counts.set(t, counts.get(t)! + 1);
      }
      for (const [level, n] of counts) this.set({ level }, n);
    },
  });
  new Gauge({
    name: 'tidecast_readers_on_rendition',
    help: 'RTSP readers switched to a lower rendition by their receiver reports now, by path and rendition (docs/qos.md)',
    labelNames: ['path', 'rendition'],
    registers: [register],
    collect() {
      this.reset();
      const counts = new Map<string, { path: string; rendition: string; n: number }>();
      for (const c of paths.clients.list()) {
        const r = c.qos?.rendition;
        if (r === undefined || r === 'main') continue;
        const k = `${c.path}\n${r}`;
        const e = counts.get(k) ?? { path: c.path, rendition: r, n: 0 };
        e.n++;
        counts.set(k, e);
      }
      for (const e of counts.values()) this.set({ path: e.path, rendition: e.rendition }, e.n);
    },
  });
}
