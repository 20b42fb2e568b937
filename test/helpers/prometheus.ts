// Reads a /metrics body through the official Prometheus Python client's text-format parser (prom-parse.py):
// prom-client has none, and the body must be what a real Prometheus accepts, not what our own reader accepts.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromFamily {
  /** The family name as the parser reports it (counters without their `_total`). */
  name: string;
  type: string;
  help: string;
  samples: PromSample[];
}

const SCRIPT = resolve(import.meta.dirname, 'prom-parse.py');

/** Parses `body` with prometheus_client.parser under /usr/bin/python3 (Debian python3-prometheus-client); rejects on any parse error. */
export function parsePrometheusText(body: string): Promise<PromFamily[]> {
  return new Promise((ok, fail) => {
    const child = spawn('/usr/bin/python3', [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', fail);
    child.once('close', (code) => {
      if (code !== 0) return fail(new Error(`prometheus_client could not parse /metrics (exit ${code}): ${Buffer.concat(err).toString('utf8')}`));
      ok(JSON.parse(Buffer.concat(out).toString('utf8')) as PromFamily[]);
    });
    child.stdin.end(body);
  });
}

/** Fetches and parses /metrics. */
export async function scrape(url: string): Promise<Metrics> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  return new Metrics(await parsePrometheusText(await res.text()));
}

/** Parsed families with lookups by name and labels. */
export class Metrics {
  constructor(readonly families: PromFamily[]) {}

  family(name: string): PromFamily | undefined {
    return this.families.find((f) => f.name === name);
  }

  /** The value of sample `sample` whose labels include `labels` (summed when several match; 0 when none). */
  value(sample: string, labels: Record<string, string> = {}): number {
    let sum = 0;
    for (const f of this.families) {
      for (const s of f.samples) {
        if (s.name === sample && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) sum += s.value;
      }
    }
    return sum;
  }

  /** Samples named `sample` with `labels`, each as its labels and value. */
  samples(sample: string, labels: Record<string, string> = {}): PromSample[] {
    return this.families.flatMap((f) => f.samples.filter((s) => s.name === sample && Object.entries(labels).every(([k, v]) => s.labels[k] === v)));
  }
}
