// Readers and publishers by protocol and path, and what they moved: gauges from the client registry at each
// scrape, byte and packet counters kept monotonic as clients come and go (a leaving client's last bytes count).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ClientRecord } from '../../core/clients.js';
import type { PathManager } from '../../core/path-manager.js';
import { foldGaugePaths, RunningTotals } from './metric-series.js';

const LABELS = ['protocol', 'path'];

export function registerClientMetrics(register: Registry, paths: PathManager, beforeScrape: (fn: () => void) => void): void {
  for (const role of ['reader', 'publisher'] as const) {
    new Gauge({
      name: `tidecast_${role}s`,
      help: role === 'reader' ? 'Current readers by protocol (rtsp-udp, rtsp-tcp, progressive-mp4, hls...) and path; HLS counts one per path being read, not each player' : 'Current publishers by protocol (rtsp-udp, rtsp-tcp...) and path',
      labelNames: LABELS,
      registers: [register],
      collect() {
        this.reset();
        const rows = paths.clients.list().filter((c) => c.role === role).map((c) => ({ labels: labelsOf(c), value: 1 }));
        for (const r of foldGaugePaths(rows)) this.set(r.labels, r.value);
      },
    });
  }
  const totals = {
    readerBytes: new RunningTotals(),
    readerPackets: new RunningTotals(),
    publisherBytes: new RunningTotals(),
  };
  const read = (c: ClientRecord, settle: boolean): void => {
    const op = settle ? 'settle' : 'read';
    if (c.role === 'publisher') return totals.publisherBytes[op](c.id, labelsOf(c), c.bytes);
    totals.readerBytes[op](c.id, labelsOf(c), c.bytes);
    if (c.packets !== undefined) totals.readerPackets[op](c.id, labelsOf(c), c.packets);
  };
  paths.clients.on({ removed: (c) => read(c, true) });
  beforeScrape(() => {
    const list = paths.clients.list();
    for (const c of list) read(c, false);
    const present = new Set<unknown>(list.map((c) => c.id));
    for (const t of Object.values(totals)) t.keepOnly(present);
  });
  totalsCounter(register, 'tidecast_reader_bytes_total', 'Bytes sent to readers, by protocol and path (from each reader\'s total; readers that left still count)', totals.readerBytes);
  totalsCounter(register, 'tidecast_reader_packets_total', 'Packets sent to readers, by protocol and path, for protocols whose records count packets', totals.readerPackets);
  totalsCounter(register, 'tidecast_publisher_bytes_total', 'Bytes received from publishers, by protocol and path (publishers that left still count)', totals.publisherBytes);
}

/** A counter family showing running totals (read from the clients before each scrape). */
function totalsCounter(register: Registry, name: string, help: string, totals: RunningTotals): void {
  new Counter({
    name,
    help,
    labelNames: LABELS,
    registers: [register],
    collect() {
      this.reset();
      for (const s of totals.series()) this.inc(s.labels, s.value);
    },
  });
}

function labelsOf(c: ClientRecord): Record<string, string> {
  return { protocol: c.protocol, path: c.path };
}
