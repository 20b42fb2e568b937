// Clients that go away without TEARDOWN: readers killed over UDP, TCP and WebSocket, publishers frozen over UDP and TCP; each session is reclaimed (at the session timeout when nothing else tells the server), and the path is free again.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RtspSession } from '../../server/rtsp/session.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { UDP_BUFFER, waitFor } from '../helpers/read.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';

const TIMEOUT_S = 5;
let srv: TestServer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // The shortest limit the config allows, so a reclaim at the timeout takes seconds.
  srv = await startTestServer({ sessionTimeout: TIMEOUT_S });
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
afterAll(async () => {
  await srv?.close();
});

function start(cmd: string, args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

/** The one session on `path` in `state`, once it exists. */
async function sessionOn(path: string, state: RtspSession['state'], output: () => string): Promise<RtspSession> {
  let found: RtspSession | undefined;
  await waitFor(() => (found = [...srv.rtsp.sessions.values()].find((s) => s.path === path && s.state === state)) !== undefined, 45_000, `a ${state} session on /${path}\n${output()}`);
  return found!;
}

/** Waits for the session to go; returns how long after its last sign of life (request, RTP, RTCP) that was. */
async function reclaimed(s: RtspSession): Promise<number> {
  let goneAt = 0;
  await waitFor(() => {
    if (srv.rtsp.sessions.get(s.id) === s) return false;
    goneAt = performance.now();
    return true;
  }, 60_000, `session ${s.id} to be reclaimed`, 20);
  return goneAt - s.lastActivity;
}

const ffRead = (path: string, transport: 'udp' | 'tcp') =>
  start(resolveFfmpeg(), ['-v', 'error', '-rtsp_transport', transport, ...(transport === 'udp' ? UDP_BUFFER : []), '-i', srv.url(path), '-f', 'null', '-']);

const ffPublish = (path: string, transport: 'udp' | 'tcp') =>
  start(resolveFfmpeg(), ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', transport, srv.url(path)]);

describe('readers killed without TEARDOWN', () => {
  it('UDP: the session outlives the connection and is reclaimed at the session timeout', async () => {
    const r = ffRead('sample.mp4', 'udp');
    const s = await sessionOn('sample.mp4', 'playing', r.output);
    r.child.kill('SIGKILL');
    // Its last receiver report or request was its last sign of life; the sweep ends it past the limit.
    expect(await reclaimed(s)).toBeGreaterThanOrEqual(TIMEOUT_S * 1000);
    expect(srv.rtsp.pacer.size).toBe(0);
  }, 90_000);

  it('TCP: the session ends with the connection', async () => {
    const r = ffRead('sample.mp4', 'tcp');
    const s = await sessionOn('sample.mp4', 'playing', r.output);
    r.child.kill('SIGKILL');
    await reclaimed(s);
    expect(srv.rtsp.sessions.size).toBe(0);
  }, 90_000);

  it('WebSocket: the session ends with the WebSocket', async () => {
    const r = start(process.execPath, [resolve(import.meta.dirname, '../fixtures/ws-rtsp-play.mjs'), `ws://127.0.0.1:${srv.httpPort}/rtsp`, srv.url('sample.mp4')]);
    const s = await sessionOn('sample.mp4', 'playing', r.output);
    await waitFor(() => /frames [1-9]/.test(r.output()), 30_000, `frames over the WebSocket\n${r.output()}`);
    r.child.kill('SIGKILL');
    await reclaimed(s);
    expect(srv.rtsp.sessions.size).toBe(0);
  }, 90_000);
});

describe('publishers frozen without TEARDOWN (the process stopped, its connection still open)', () => {
  for (const transport of ['udp', 'tcp'] as const) {
    it(`${transport.toUpperCase()}: reclaimed at the session timeout, and the path takes a new publisher`, async () => {
      const path = `live/frozen-${transport}`;
      const p = ffPublish(path, transport);
      const s = await sessionOn(path, 'recording', p.output);
      await waitFor(() => (srv.paths.liveStreams().find((x) => x.name === path)?.packets ?? 0) > 50, 45_000, `packets on /${path}\n${p.output()}`);
      p.child.kill('SIGSTOP');
      expect(await reclaimed(s)).toBeGreaterThanOrEqual(TIMEOUT_S * 1000);
      expect(srv.paths.liveStreams().some((x) => x.name === path)).toBe(false);
      p.child.kill('SIGKILL');
      // The path is free: a new publisher goes live on it.
      const next = ffPublish(path, 'tcp');
      await sessionOn(path, 'recording', next.output);
    }, 90_000);
  }
});
