// Prometheus counters of the file source: demuxes, the ones that failed, and requests a remembered failure answered (never demuxed again).
import { Counter, type Registry } from 'prom-client';
import type { DemuxStats } from '../../core/seekable-media.js';
import type { HttpContext } from '../context.js';

const COUNTERS: [name: string, help: string, key: keyof DemuxStats][] = [
  ['tidecast_file_demuxes_total', 'Media files demuxed: each version of a file once while it is cached or remembered as failed', 'demuxes'],
  ['tidecast_file_demux_failures_total', 'Demuxes that failed (a damaged, truncated or unsupported file): answered 415', 'failed'],
  ['tidecast_file_failures_remembered_total', 'Requests for a file that failed before, answered from its remembered failure without demuxing it again', 'remembered'],
];

export function registerFileMetrics(register: Registry, ctx: HttpContext): void {
  for (const [name, help, key] of COUNTERS) {
    new Counter({
      name,
      help,
      registers: [register],
      collect() {
        this.reset();
        this.inc(ctx.paths.fileStats[key]);
      },
    });
  }
}
