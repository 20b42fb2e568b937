// Every name in the server's event counters (core/counters.ts) as a Prometheus counter tidecast_<name>_total with
// its labels: hook runs, auth failures, HLS requests... A name counted for the first time gets its family at the next scrape.
import { Counter, type Registry } from 'prom-client';
import type { Counters } from '../../core/counters.js';

/** Help texts of the names we know; others get a generic one. Listed names have a family from the start (no samples until counted). */
export const KNOWN_COUNTERS: Record<string, { help: string; labels: string[] }> = {
  auth_failures: {
    help: 'Refused logins and requests by protocol (rtsp, hls, http, api, metrics) and reason (wrong_credentials, forbidden, throttled...); a 401 challenge to a request without credentials is not counted',
    labels: ['protocol', 'reason'],
  },
  hls_requests: {
    help: 'HLS requests by kind: playlist, blocking_reload (with _HLS_msn), segment, part, init, other (a .m3u8 name we do not serve)',
    labels: ['kind'],
  },
  qos_thinning_transitions: {
    help: 'Thinning level changes of RTSP readers asked by their receiver reports, by the level moved to (none, non-reference, key-frames; docs/qos.md)',
    labels: ['to'],
  },
  qos_rendition_switches: {
    help: 'RTSP readers switched between a path and its renditions because of their receiver reports, by the stream moved to (main or the rendition name; docs/qos.md)',
    labels: ['to'],
  },
  hook_runs: { help: 'Hook commands started, by hook (runOnReady, runOnRead...)', labels: ['hook'] },
  sap_packets: { help: 'SAP (RFC 2974) packets sent for announced paths, by type (announcement, deletion) and result (sent, failed)', labels: ['type', 'result'] },
  hook_failures: { help: 'Hook commands that could not start, were killed by a signal or exited non-zero, by hook (a hook stopped on purpose is no failure)', labels: ['hook'] },
};

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class CounterFamilies {
  /** name -> label names of its family as registered. */
  private readonly families = new Map<string, string[]>();

  constructor(
    private readonly register: Registry,
    private readonly counters: Counters,
  ) {
    for (const [name, k] of Object.entries(KNOWN_COUNTERS)) this.family(name, k.labels);
  }

  /** Before a scrape: a family for each new name, and again for a name that gained a label. */
  sync(): void {
    for (const name of this.counters.names()) {
      // A name whose family another part of /metrics already has (tidecast_reader_bytes_total...) is skipped, not a failed scrape.
      if (!NAME.test(name) || (!this.families.has(name) && this.register.getSingleMetric(metricName(name)))) continue;
      const labels = new Set(this.families.get(name) ?? []);
      for (const s of this.counters.samples(name)) for (const k of Object.keys(s.labels)) if (LABEL.test(k)) labels.add(k);
      const had = this.families.get(name);
      if (had && had.length === labels.size) continue;
      if (had) this.register.removeSingleMetric(metricName(name));
      this.family(name, [...labels].sort());
    }
  }

  private family(name: string, labelNames: string[]): void {
    const counters = this.counters;
    this.families.set(name, labelNames);
    new Counter({
      name: metricName(name),
      help: KNOWN_COUNTERS[name]?.help ?? `Events counted as ${name}`,
      labelNames,
      registers: [this.register],
      collect() {
        this.reset();
        for (const s of counters.samples(name)) {
          const labels = Object.fromEntries(Object.entries(s.labels).filter(([k]) => labelNames.includes(k)));
          this.inc(labels, s.value);
        }
      },
    });
  }
}

function metricName(name: string): string {
  return `tidecast_${name}_total`;
}
