// CPU and memory of other processes from /proc: utime+stime ticks, VmRSS/VmHWM, host UDP counters,
// and a sampler that turns 500 ms samples into a steady-window median.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { percentile } from './stats.js';

export const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

export function procTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may contain spaces): utime is field 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return NaN;
  }
}

export function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

export function udpCounters(): { rcvbuf: number; sndbuf: number } {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    const names = lines[0]!.split(/\s+/);
    const vals = lines[1]!.split(/\s+/).map(Number);
    const get = (n: string): number => vals[names.indexOf(n)] ?? NaN;
    return { rcvbuf: get('RcvbufErrors'), sndbuf: get('SndbufErrors') };
  } catch {
    return { rcvbuf: NaN, sndbuf: NaN };
  }
}

export interface Sample {
  t: number;
  serverTicks: number;
  /** Summed over the client processes (NaN until they all exist). */
  clientTicks: number;
  rssKb: number;
  /** Other processes to account apart (e.g. the live publisher), summed. */
  otherTicks: number;
}

export interface SteadyStats {
  cpuPctMedian: number;
  cpuPctMean: number;
  cpuSamples: number;
  clientCpuPctMedian: number;
  otherCpuPctMedian: number;
  rssSteadyMaxKb: number;
}

/** Samples the server, the client processes and others every `ms`; `steady` reduces a window of them. */
export class ProcSampler {
  readonly samples: Sample[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    serverPid: number,
    clientPids: () => number[],
    otherPids: () => number[] = () => [],
    ms = 500,
  ) {
    const sum = (pids: number[]): number => (pids.length === 0 ? NaN : pids.reduce((a, p) => a + procTicks(p), 0));
    this.timer = setInterval(() => {
      this.samples.push({
        t: performance.now(),
        serverTicks: procTicks(serverPid),
        clientTicks: sum(clientPids()),
        rssKb: procStatusKb(serverPid, 'VmRSS'),
        otherTicks: sum(otherPids()),
      });
    }, ms);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Medians of the per-interval CPU % (of one core) over the samples taken in [from, to]. */
  steady(from: number, to: number): SteadyStats {
    const cpu: number[] = [];
    const clientCpu: number[] = [];
    const otherCpu: number[] = [];
    const steady = this.samples.filter((s) => s.t >= from && s.t <= to);
    for (let i = 1; i < steady.length; i++) {
      const a = steady[i - 1]!;
      const b = steady[i]!;
      const sec = (b.t - a.t) / 1000;
      cpu.push((100 * (b.serverTicks - a.serverTicks)) / CLK_TCK / sec);
      clientCpu.push((100 * (b.clientTicks - a.clientTicks)) / CLK_TCK / sec);
      otherCpu.push((100 * (b.otherTicks - a.otherTicks)) / CLK_TCK / sec);
    }
    let mean = NaN;
    if (steady.length >= 2) {
      const a = steady[0]!;
      const b = steady[steady.length - 1]!;
      mean = (100 * (b.serverTicks - a.serverTicks)) / CLK_TCK / ((b.t - a.t) / 1000);
    }
    return {
      cpuPctMedian: percentile(cpu, 50),
      cpuPctMean: mean,
      cpuSamples: cpu.length,
      clientCpuPctMedian: percentile(clientCpu, 50),
      otherCpuPctMedian: percentile(otherCpu, 50),
      rssSteadyMaxKb: Math.max(...steady.map((s) => s.rssKb)),
    };
  }
}
