// What the soak watches on the server process: RSS and open fds (/proc/<pid>), its UDP sockets (/proc/net/udp by inode), sessions and connections (the API).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { procStatusKb } from '../lib/proc.js';

export interface Probe {
  /** Seconds since the soak started. */
  t: number;
  rssMb: number;
  fds: number;
  /** UDP sockets the server holds (its RTP/RTCP pair, multicast, workers' dups share an inode). */
  udpSockets: number;
  sessions: number;
  connections: number;
}

function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

function udpSockets(pid: number): number {
  const mine = socketInodes(pid);
  let n = 0;
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    try {
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols.length > 9 && mine.has(cols[9]!)) n++;
      }
    } catch {
      /* no IPv6 table */
    }
  }
  return n;
}

function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}

export async function probe(pid: number, httpPort: number, t0: number): Promise<Probe> {
  let sessions = NaN;
  let connections = NaN;
  try {
    const s = (await (await fetch(`http://127.0.0.1:${httpPort}/api/v1/status`)).json()) as { rtspSessions: number; rtspConnections: number };
    sessions = s.rtspSessions;
    connections = s.rtspConnections;
  } catch {
    /* counted as NaN: a MISS */
  }
  return {
    t: Math.round((Date.now() - t0) / 1000),
    rssMb: procStatusKb(pid, 'VmRSS') / 1024,
    fds: fdCount(pid),
    udpSockets: udpSockets(pid),
    sessions,
    connections,
  };
}
