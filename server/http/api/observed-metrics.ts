// Histograms of measured values (core/observations.ts): RTCP receiver-report loss and jitter of RTSP readers,
// observed from each report as it arrives; how long blocked HLS playlist reloads waited.
import { Histogram, type Registry } from 'prom-client';
import type { Observations } from '../../core/observations.js';

const FAMILIES: { name: string; help: string; labelNames: string[]; buckets: number[] }[] = [
  {
    name: 'reader_rtcp_fraction_lost',
    help: 'Fraction of packets lost (0..1) in each RTCP receiver report an RTSP reader sends, observed as each report arrives, by lower transport (udp, tcp, multicast)',
    labelNames: ['transport'],
    buckets: [0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1],
  },
  {
    name: 'reader_rtcp_jitter_seconds',
    help: 'Interarrival jitter in seconds in each RTCP receiver report an RTSP reader sends (converted with the track clock), observed as each report arrives, by lower transport',
    labelNames: ['transport'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  },
  {
    name: 'hls_blocked_reload_wait_seconds',
    help: 'How long each blocking HLS playlist reload (_HLS_msn) waited, by outcome: ready (the segment or part came), timeout (503), ended (the stream ended), aborted (the client left)',
    labelNames: ['outcome'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
  },
];

/** Label values we keep as they are; others become "other" (the layers send fixed words, this only guards). */
const ALLOWED: Record<string, Set<string>> = {
  transport: new Set(['udp', 'tcp', 'multicast']),
  outcome: new Set(['ready', 'timeout', 'ended', 'aborted']),
};

export function registerObservedMetrics(register: Registry, observations: Observations): void {
  for (const f of FAMILIES) {
    const h = new Histogram({ name: `tidecast_${f.name}`, help: f.help, labelNames: f.labelNames, buckets: f.buckets, registers: [register] });
    observations.on(f.name, (labels, value) => {
      const bounded = Object.fromEntries(f.labelNames.map((k) => [k, ALLOWED[k]?.has(labels[k] ?? '') ? labels[k]! : 'other']));
      h.observe(bounded, value);
    });
  }
}
