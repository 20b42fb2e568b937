// The soak's well-behaved clients, each a loop until the run ends and each logged in as its user (or anonymous on the public path): publishers that reconnect, RTSP readers (UDP and TCP, Basic or Digest, some leaving without TEARDOWN), progressive and HLS readers, a WebSocket reader with a login token.
import { spawn, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import type { Credentials } from '../../server/rtsp/headers/authorization.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { sleep } from '../lib/net.js';
import { basicHeader, RtspLogin, type AuthScheme } from './login.js';
import { SoakRtsp, UdpPair, sessionOf } from './rtsp.js';

export interface SoakTarget {
  rtspPort: number;
  httpPort: number;
  mediaDir: string;
  /** Live paths the publishers feed. */
  live: string[];
  /** Paths anyone may read without logging in (the `any` user's read permission). */
  isPublic: (path: string) => boolean;
  reader: Credentials;
  publisher: Credentials;
  /** False once the run is over: every loop ends its current round and returns. */
  running: () => boolean;
  rnd: () => number;
}

export interface SoakCounts {
  publisherStarts: number;
  rtspSessions: number;
  rtspPackets: number;
  rtspLeftWithoutTeardown: number;
  progressiveBytes: number;
  hlsFiles: number;
  wsFrames: number;
  /** RTSP sessions played, by how the reader logged in. */
  rtspLogins: Record<string, number>;
  wrongLogins: Record<string, number>;
  /** Well-behaved clients refused (401, 403, 429, 503 after logging in as they should): must stay empty. */
  refused: Record<string, number>;
  /** Failures by kind (a publisher restarting makes its readers fail for a moment: expected). */
  errors: Record<string, number>;
}

export const newCounts = (): SoakCounts => ({
  publisherStarts: 0,
  rtspSessions: 0,
  rtspPackets: 0,
  rtspLeftWithoutTeardown: 0,
  progressiveBytes: 0,
  hlsFiles: 0,
  wsFrames: 0,
  rtspLogins: {},
  wrongLogins: {},
  refused: {},
  errors: {},
});

/** Statuses that mean "you may not" rather than "not there" or "bad request". */
const REFUSALS = new Set([401, 403, 429, 503]);

const bump = (m: Record<string, number>, k: string): void => void (m[k] = (m[k] ?? 0) + 1);
const pick = <T>(t: SoakTarget, xs: readonly T[]): T => xs[Math.floor(t.rnd() * xs.length)]!;
/** Sleeps `ms` in steps, returning early once the run is over. */
export async function hold(t: SoakTarget, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (t.running() && Date.now() < end) await sleep(Math.min(250, end - Date.now()));
}

/** ffmpeg publishing the sample in a loop to `path`, killed and started again every 40-80 s (a reconnecting publisher). */
export async function publisher(t: SoakTarget, c: SoakCounts, path: string, transport: 'tcp' | 'udp', children: Set<ChildProcess>): Promise<void> {
  while (t.running()) {
    const { username, password } = t.publisher;
    const args = ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${t.mediaDir}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', transport, `rtsp://${username}:${password}@127.0.0.1:${t.rtspPort}/${path}`];
    const child = spawn(resolveFfmpeg(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(child);
    // ffmpeg says "method ANNOUNCE failed: 401 Unauthorized" when its login is refused.
    child.stderr!.on('data', (b: Buffer) => {
      const m = /failed: (401|403|429|503)/.exec(b.toString());
      if (m) bump(c.refused, `publisher ${path}: ${m[1]}`);
    });
    c.publisherStarts++;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    await Promise.race([hold(t, 40_000 + t.rnd() * 40_000), exited]);
    child.kill('SIGTERM');
    await exited;
    children.delete(child);
  }
}

/** An RTSP reader: a file or a live path, UDP or TCP, plays 3-15 s, then TEARDOWN, or (one time in five) just leaves. */
export async function rtspReader(t: SoakTarget, c: SoakCounts): Promise<void> {
  const udp = await UdpPair.bind();
  try {
    while (t.running()) {
      const path = pick(t, ['sample.mp4', ...t.live]);
      const transport = pick(t, ['udp', 'tcp'] as const);
      const login = pick(t, t.isPublic(path) ? (['anonymous', 'basic', 'digest'] as const) : (['basic', 'digest'] as const));
      try {
        await playOnce(t, c, path, transport, udp, login);
      } catch (e) {
        bump(c.errors, `rtsp ${transport}: ${(e as Error).message.slice(0, 60)}`);
        await hold(t, 1000);
      }
    }
  } finally {
    udp.close();
  }
}

async function playOnce(t: SoakTarget, c: SoakCounts, path: string, transport: 'udp' | 'tcp', udp: UdpPair, login: 'anonymous' | AuthScheme): Promise<void> {
  const url = `rtsp://127.0.0.1:${t.rtspPort}/${path}`;
  const conn = await SoakRtsp.open(t.rtspPort);
  const r = new RtspLogin(conn, login === 'anonymous' ? undefined : t.reader, login === 'anonymous' ? 'basic' : login);
  const refused = (method: string, status: number): Error => {
    if (REFUSALS.has(status)) bump(c.refused, `rtsp ${login} ${method}: ${status}`);
    return new Error(`${method} ${status}`);
  };
  try {
    const d = await r.request('DESCRIBE', url, { Accept: 'application/sdp' });
    if (d.status !== 200) throw refused('DESCRIBE', d.status);
    // The video track only (trackID=0 on the sample and on what ffmpeg publishes).
    const tr = transport === 'tcp' ? 'RTP/AVP/TCP;unicast;interleaved=0-1' : `RTP/AVP;unicast;client_port=${udp.rtpPort}-${udp.rtpPort + 1}`;
    const s = await r.request('SETUP', `${url}/trackID=0`, { Transport: tr });
    const id = sessionOf(s);
    if (s.status !== 200 || !id) throw refused('SETUP', s.status);
    const p = await r.request('PLAY', url, { Session: id });
    if (p.status !== 200) throw refused('PLAY', p.status);
    c.rtspSessions++;
    bump(c.rtspLogins, login);
    const before = udp.packets;
    await hold(t, 3000 + t.rnd() * 12_000);
    c.rtspPackets += transport === 'udp' ? udp.packets - before : conn.frames;
    if (t.rnd() < 0.2) c.rtspLeftWithoutTeardown++;
    else await r.request('TEARDOWN', url, { Session: id }).catch(() => undefined);
  } finally {
    conn.close();
  }
}

/** Progressive HTTP: fMP4 or MPEG-TS of a file or a live path, read for 3-12 s, then dropped. */
export async function progressiveReader(t: SoakTarget, c: SoakCounts): Promise<void> {
  while (t.running()) {
    const path = pick(t, ['sample.mp4', ...t.live]);
    const ac = new AbortController();
    const stop = setTimeout(() => ac.abort(), 3000 + t.rnd() * 9000);
    try {
      const headers = t.isPublic(path) && t.rnd() < 0.5 ? {} : basicHeader(t.reader);
      const r = await fetch(`http://127.0.0.1:${t.httpPort}/${path}/stream.${pick(t, ['mp4', 'ts'])}`, { signal: ac.signal, headers });
      if (REFUSALS.has(r.status)) bump(c.refused, `progressive: ${r.status}`);
      if (!r.ok || !r.body) throw new Error(`HTTP ${r.status}`);
      const body = r.body.getReader();
      for (;;) {
        const { done, value } = await body.read();
        if (done) break;
        c.progressiveBytes += value.length;
      }
    } catch (e) {
      if (!ac.signal.aborted) {
        bump(c.errors, `progressive: ${(e as Error).message.slice(0, 60)}`);
        await hold(t, 1000);
      }
    } finally {
      clearTimeout(stop);
    }
  }
}

/** An LL-HLS player in outline: reloads a live playlist and fetches its newest part, for 10-30 s per path. */
export async function hlsReader(t: SoakTarget, c: SoakCounts): Promise<void> {
  while (t.running()) {
    const base = `http://127.0.0.1:${t.httpPort}/${pick(t, t.live)}`;
    const until = Date.now() + 10_000 + t.rnd() * 20_000;
    while (t.running() && Date.now() < until) {
      try {
        const r = await fetch(`${base}/index.m3u8`, { headers: basicHeader(t.reader) });
        const text = await r.text();
        if (REFUSALS.has(r.status)) bump(c.refused, `hls playlist: ${r.status}`);
        if (!r.ok) throw new Error(`playlist ${r.status}`);
        const uris = [...text.matchAll(/URI="([^"]+\.mp4)"/g)].map((m) => m[1]!).filter((u) => u.startsWith('part-'));
        const last = uris.at(-1);
        if (last) {
          const p = await fetch(`${base}/${last}`, { headers: basicHeader(t.reader) });
          await p.arrayBuffer();
          if (REFUSALS.has(p.status)) bump(c.refused, `hls part: ${p.status}`);
          if (p.ok) c.hlsFiles++;
        }
      } catch (e) {
        bump(c.errors, `hls: ${(e as Error).message.slice(0, 60)}`);
      }
      await hold(t, 300);
    }
  }
}

/** A login token as the web player gets one: POST /api/v1/login with Basic. */
async function loginToken(t: SoakTarget, c: SoakCounts): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${t.httpPort}/api/v1/login`, { method: 'POST', headers: basicHeader(t.reader) });
  if (REFUSALS.has(r.status)) bump(c.refused, `login: ${r.status}`);
  if (!r.ok) throw new Error(`login ${r.status}`);
  return ((await r.json()) as { token: string }).token;
}

/** RTSP over WebSocket (as the web player, with its login token in ?token=): SETUP interleaved, PLAY, 5-15 s of frames, close. */
export async function wsReader(t: SoakTarget, c: SoakCounts): Promise<void> {
  while (t.running()) {
    const url = `rtsp://127.0.0.1:${t.rtspPort}/${pick(t, ['sample.mp4', ...t.live])}`;
    try {
      const token = await loginToken(t, c);
      await new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${t.httpPort}/rtsp?token=${encodeURIComponent(token)}`, 'rtsp');
        let step = 0;
        let session = '';
        const send = (m: string, h: Record<string, string>): void => ws.send(Buffer.from(`${m} ${url}${m === 'SETUP' ? '/trackID=0' : ''} RTSP/1.0\r\nCSeq: ${++step}\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`));
        ws.on('open', () => send('SETUP', { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' }));
        ws.on('message', (data: Buffer) => {
          if (data[0] === 0x24) return void c.wsFrames++;
          const text = data.toString('latin1');
          const status = Number(/^RTSP\/1\.0 (\d{3})/.exec(text)?.[1]);
          if (REFUSALS.has(status)) bump(c.refused, `websocket: ${status}`);
          if (status !== 200) return void ws.close();
          if (step === 1) {
            session = /\r\nSession: *([^;\r]+)/i.exec(text)?.[1] ?? '';
            send('PLAY', { Session: session });
            setTimeout(() => ws.close(), 5000 + t.rnd() * 10_000);
          }
        });
        ws.on('close', () => resolve());
        ws.on('error', reject);
      });
    } catch (e) {
      bump(c.errors, `websocket: ${(e as Error).message.slice(0, 60)}`);
      await hold(t, 1000);
    }
  }
}
