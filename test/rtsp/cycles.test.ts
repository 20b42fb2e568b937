// 1000 connect/SETUP/PLAY/disconnect cycles (TCP and UDP, no TEARDOWN): afterwards no socket, UDP port, session, connection or timer is left, counted from /proc, the API and async hooks.
import { createHook } from 'node:async_hooks';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/read.js';
import { RawRtspClient, bodyText } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Every live Timeout object of this process, ref'd or not (getActiveResourcesInfo sees only ref'd ones). */
const timers = new Set<number>();
const hook = createHook({
  init: (id, type) => {
    if (type === 'Timeout') timers.add(id);
  },
  destroy: (id) => {
    timers.delete(id);
  },
});

let srv: TestServer;
beforeAll(async () => {
  hook.enable();
  // Sessions a UDP client leaves behind end at the session timeout: the shortest allowed, and room
  // for all of them from this one address meanwhile.
  srv = await startTestServer({ sessionTimeout: 5, maxSessionsPerAddress: 2000 });
});
afterAll(async () => {
  await srv?.close();
  hook.disable();
});

/** Sockets (inodes) among this process's open files. */
function socketInodes(): Set<string> {
  const out = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) out.add(m[1]!);
    } catch {
      /* closed while listing */
    }
  }
  return out;
}

/** UDP sockets of this process, from /proc/net/udp and udp6 (the inode column), and the ports they hold. */
function udpPorts(mine: Set<string>): string[] {
  const ports: string[] = [];
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && mine.has(cols[9]!)) ports.push(String(parseInt(cols[1]!.split(':')[1]!, 16)));
    }
  }
  return ports.sort();
}

/** Sessions the API lists (a fresh connection each time, closed before the counts are taken). */
function apiSessions(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port: srv.httpPort, path: '/api/v1/sessions', agent: false, headers: { Connection: 'close' } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve((JSON.parse(body) as { sessions: unknown[] }).sessions.length));
    });
    req.on('error', reject);
  });
}

interface Counts {
  fds: number;
  sockets: number;
  udp: string;
  sessions: number;
  connections: number;
  timers: number;
}

function counts(): Counts {
  const inodes = socketInodes();
  return {
    fds: readdirSync('/proc/self/fd').length,
    sockets: inodes.size,
    udp: udpPorts(inodes).join(','),
    sessions: srv.rtsp.sessions.size,
    connections: srv.rtsp.connections.size,
    timers: timers.size,
  };
}

/** One client: SETUP (both tracks), PLAY, and gone without TEARDOWN. */
async function cycle(transport: 'tcp' | 'udp', n: number): Promise<void> {
  const c = await RawRtspClient.open(srv.rtspPort);
  try {
    const url = srv.url('sample.mp4');
    let session: string | undefined;
    for (const track of [0, 1]) {
      const t = transport === 'tcp' ? `RTP/AVP/TCP;unicast;interleaved=${2 * track}-${2 * track + 1}` : `RTP/AVP;unicast;client_port=${50000 + 4 * (n % 2000) + 2 * track}-${50001 + 4 * (n % 2000) + 2 * track}`;
      const r = await c.request('SETUP', `${url}/trackID=${track}`, { Transport: t, ...(session ? { Session: session } : {}) });
      expect(r.status, bodyText(r)).toBe(200);
      session ??= r.headers.get('Session')!.split(';')[0]!;
    }
    expect((await c.request('PLAY', url, { Session: session! })).status).toBe(200);
  } finally {
    c.close();
  }
}

/** Waits until the counts are back to `base` (a deadline, not a sleep), then checks them and the API. */
async function settled(base: Counts, what: string): Promise<void> {
  let now = counts();
  await waitFor(() => {
    now = counts();
    return JSON.stringify(now) === JSON.stringify(base);
  }, 60_000, `${what}: counts back to ${JSON.stringify(base)} (now ${JSON.stringify(now)})`).catch(() => undefined);
  expect(now).toEqual(base);
  expect(await apiSessions()).toBe(0);
}

describe('1000 connect/SETUP/PLAY/disconnect cycles', () => {
  it('leave no socket, UDP port, session, connection or timer behind', async () => {
    // Warm up: the UDP sender's workers, the file cache and the JIT start once, not per cycle.
    await cycle('udp', 0);
    await cycle('tcp', 0);
    await waitFor(() => srv.rtsp.sessions.size === 0 && srv.rtsp.connections.size === 0, 60_000, 'the warm-up sessions to end');
    // Taken before any API request: its sockets (both ends are in this process) close a moment after the answer.
    const base = counts();
    expect(await apiSessions()).toBe(0);
    expect(base.udp.split(',')).toEqual(expect.arrayContaining([String(srv.rtpPort), String(srv.rtpPort + 1)]));

    for (let i = 0; i < 500; i++) await cycle('tcp', i);
    await settled(base, 'after 500 TCP cycles');

    for (let i = 0; i < 500; i++) await cycle('udp', i);
    // UDP sessions outlive their connection until the session timeout (5 s here).
    expect(srv.rtsp.sessions.size).toBeGreaterThan(0);
    await settled(base, 'after 500 UDP cycles');
  }, 300_000);
});
