// Real clients against a Tidecast with users: ffmpeg, GStreamer rtspsrc and rtspclientsink, our relay client, curl and ffmpeg over HTTP; 401 without credentials, playing with them, Digest and Basic, a wrong password, 403.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/auth/password.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { gstRead } from '../helpers/gst-read.js';
import { readFor, waitFor } from '../helpers/read.js';
import { bodyText, RawRtspClient } from '../helpers/rtsp-client.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

/**
 * Plain-text passwords: Digest is offered (and preferred by ffmpeg and GStreamer) beside Basic.
 * Each group of tests has its own: every client here comes from 127.0.0.1, and five wrong passwords
 * within a minute block an address's logins on a server.
 */
let srv: TestServer;
/** A scrypt password: Basic only, as a hashed password cannot answer Digest. */
let hashed: TestServer;
const children: ChildProcess[] = [];

const USERS = {
  authUsers: [
    { user: 'alice', pass: 'secret', permissions: [{ action: 'read' as const }, { action: 'publish' as const, path: 'live/*' }, { action: 'api' as const }] },
    { user: 'bob', pass: 'builder', permissions: [{ action: 'read' as const }] },
  ],
};

/** A server with USERS for the tests of one describe block, closed after them. */
function serverPerBlock(): void {
  beforeAll(async () => {
    srv = await startTestServer(USERS);
    hashed = await startTestServer({ authUsers: [{ user: 'sam', pass: await hashPassword('s3cret!', 'scrypt'), permissions: [{ action: 'read' }] }] });
  });
  afterAll(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await hashed?.close();
    await srv?.close();
  });
}

/** rtsp://user:pass@127.0.0.1:port/path */
const withCreds = (s: TestServer, path: string, user: string, pass: string): string => s.url(path).replace('rtsp://', `rtsp://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@`);

function expectPlays(x: Awaited<ReturnType<typeof readFor>>): void {
  expect(x.r.code, describeRun('ffmpeg', x.args, x.r)).toBe(0);
  expect(x.video, describeRun('ffmpeg', x.args, x.r)).toBeGreaterThan(30);
  expect(x.audio, describeRun('ffmpeg', x.args, x.r)).toBeGreaterThan(30);
}

function expectRefused(x: Awaited<ReturnType<typeof readFor>>, status: RegExp): void {
  expect(x.r.code, describeRun('ffmpeg', x.args, x.r)).not.toBe(0);
  expect(x.r.stderr, describeRun('ffmpeg', x.args, x.r)).toMatch(status);
  expect(x.video).toBe(0);
}

function publish(cmd: string, args: string[]): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return { child, stderr: () => err, exited: new Promise((r) => child.once('exit', (code) => r(code))) };
}

const ffPublish = (url: string, transport: 'udp' | 'tcp') =>
  publish(resolveFfmpeg(), ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', transport, url]);

const waitLive = (s: TestServer, path: string): Promise<void> => waitFor(() => s.paths.livePath(path).stream !== undefined, 45_000, `${path} to go live`);

describe('ffmpeg', () => {
  serverPerBlock();
  for (const transport of ['udp', 'tcp'] as const) {
    it(`over ${transport}: 401 without credentials or with a wrong password, plays with them`, async () => {
      expectRefused(await readFor(srv.url('sample.mp4'), transport, 2), /401 Unauthorized/);
      expectRefused(await readFor(withCreds(srv, 'sample.mp4', 'alice', 'wrong'), transport, 2), /401 Unauthorized/);
      expectPlays(await readFor(withCreds(srv, 'sample.mp4', 'alice', 'secret'), transport, 3));
    }, 120_000);
  }

  it('with Digest alone offered (authMethods: [digest])', async () => {
    const digest = await startTestServer({ ...USERS, authMethods: ['digest'] });
    try {
      expectPlays(await readFor(withCreds(digest, 'sample.mp4', 'alice', 'secret'), 'tcp', 3));
    } finally {
      await digest.close();
    }
  }, 120_000);

  it('with Basic: a scrypt password on a Basic-only server', async () => {
    expectRefused(await readFor(hashed.url('sample.mkv'), 'tcp', 2), /401 Unauthorized/);
    expectPlays(await readFor(withCreds(hashed, 'sample.mkv', 'sam', 's3cret!'), 'tcp', 3));
  }, 120_000);

  it('reads testsrc: our own ffmpeg source publishes with credentials of its own, though only alice may publish (live/*)', async () => {
    expectRefused(await readFor(srv.url('testsrc'), 'tcp', 2), /401 Unauthorized/);
    expectPlays(await readFor(withCreds(srv, 'testsrc', 'bob', 'builder'), 'tcp', 3));
  }, 120_000);

  it('through the HTTP tunnel (-rtsp_transport http)', async () => {
    expectPlays(await readFor(withCreds(srv, 'sample.mp4', 'bob', 'builder'), 'http', 3));
  }, 120_000);

  for (const transport of ['tcp', 'udp'] as const) {
    it(`publishes over ${transport} with credentials (403 for a user who may only read), and a reader logs in to play it`, async () => {
      const path = `live/ff-${transport}`;
      const denied = ffPublish(withCreds(srv, path, 'bob', 'builder'), transport);
      expect(await denied.exited).not.toBe(0);
      expect(denied.stderr()).toMatch(/403 Forbidden/);
      const anonymous = ffPublish(srv.url(path), transport);
      expect(await anonymous.exited).not.toBe(0);
      expect(anonymous.stderr()).toMatch(/401 Unauthorized/);
      const p = ffPublish(withCreds(srv, path, 'alice', 'secret'), transport);
      await waitLive(srv, path);
      expectPlays(await readFor(withCreds(srv, path, 'bob', 'builder'), 'tcp', 2));
      p.child.kill('SIGINT');
      await p.exited;
    }, 120_000);
  }
});

describe('GStreamer', () => {
  serverPerBlock();
  for (const protocols of ['tcp', 'udp'] as const) {
    it(`rtspsrc over ${protocols}: 401 without credentials, plays with user-id/user-pw and with user:pass in the URL`, async () => {
      const anon = await gstRead(srv.url('sample.mp4'), { protocols, videoFrames: 30, deadlineS: 60 });
      expect(anon.videoFrames, anon.info).toBe(0);
      expect(anon.errors.join('\n'), anon.info).toMatch(/Unauthorized|401/);
      const props = await gstRead(srv.url('sample.mp4'), { protocols, props: ['user-id=alice', 'user-pw=secret'], videoFrames: 30, audioSeconds: 1, deadlineS: 60 });
      expect(props.errors, props.info).toEqual([]);
      expect(props.videoFrames, props.info).toBeGreaterThanOrEqual(30);
      const url = await gstRead(withCreds(srv, 'sample.mkv', 'bob', 'builder'), { protocols, videoFrames: 30, deadlineS: 60 });
      expect(url.videoFrames, url.info).toBeGreaterThanOrEqual(30);
    }, 180_000);
  }

  it('rtspsrc with Digest alone offered (authMethods: [digest])', async () => {
    const digest = await startTestServer({ ...USERS, authMethods: ['digest'] });
    try {
      const r = await gstRead(digest.url('sample.mp4'), { protocols: 'tcp', props: ['user-id=alice', 'user-pw=secret'], videoFrames: 30, deadlineS: 60 });
      expect(r.videoFrames, r.info).toBeGreaterThanOrEqual(30);
    } finally {
      await digest.close();
    }
  }, 120_000);

  it('rtspsrc with Basic (a scrypt password); a wrong one it sends again and again until the throttle refuses it', async () => {
    const ok = await gstRead(hashed.url('sample.mp4'), { protocols: 'tcp', props: ['user-id=sam', 'user-pw=s3cret!'], videoFrames: 30, deadlineS: 60 });
    expect(ok.videoFrames, ok.info).toBeGreaterThanOrEqual(30);
    // rtspsrc answers every 401 with the same credentials: the 6th try is refused (503) and ends it.
    const wrong = await gstRead(hashed.url('sample.mp4'), { protocols: 'tcp', props: ['user-id=sam', 'user-pw=nope'], videoFrames: 30, deadlineS: 60 });
    expect(wrong.videoFrames, wrong.info).toBe(0);
    expect(wrong.errors.join('\n'), wrong.info).toMatch(/Service Unavailable \(503\)/);
    expect(hashed.rtsp.auth.throttle.blockedFor('127.0.0.1')).toBeGreaterThan(0);
  }, 180_000);

  it('rtspclientsink publishes with user-id/user-pw; ffmpeg reads it with its own login', async () => {
    const path = 'live/gst';
    const p = publish('gst-launch-1.0', [
      '-q',
      'videotestsrc', 'is-live=true', '!', 'video/x-raw,width=320,height=240,framerate=30/1', '!', 'x264enc', 'tune=zerolatency', 'key-int-max=30', '!', 'h264parse', '!', 's.sink_0',
      'audiotestsrc', 'is-live=true', '!', 'audioconvert', '!', 'opusenc', '!', 's.sink_1',
      'rtspclientsink', 'name=s', `location=${srv.url(path)}`, 'protocols=tcp', 'user-id=alice', 'user-pw=secret',
    ]);
    await waitLive(srv, path);
    expectPlays(await readFor(withCreds(srv, path, 'bob', 'builder'), 'tcp', 2));
    p.child.kill('SIGINT');
    await p.exited;
  }, 120_000);
});

describe('our relay client', () => {
  serverPerBlock();
  let relay: TestServer | undefined;
  afterAll(async () => {
    await relay?.close();
  });

  it('relays a path of a Tidecast with users, with the credentials in its source URL; a wrong one says so', async () => {
    relay = await startTestServer({
      paths: {
        'relay/ok': { source: withCreds(srv, 'sample.mp4', 'bob', 'builder'), sourceOnDemandCloseAfter: 1 },
        'relay/wrong': { source: withCreds(srv, 'sample.mp4', 'bob', 'wrong'), sourceOnDemandCloseAfter: 1, sourceOnDemandStartTimeout: 3 },
      },
    });
    expectPlays(await readFor(relay.url('relay/ok'), 'tcp', 3));
    const c = await RawRtspClient.open(relay.rtspPort);
    try {
      const r = await c.request('DESCRIBE', relay.url('relay/wrong'));
      expect(r.status).toBe(503);
      expect(bodyText(r)).toMatch(/did not start within 3 s: .*401.*rejected the credentials of user "bob"/s);
    } finally {
      c.close();
    }
  }, 120_000);
});

describe('HTTP clients', () => {
  serverPerBlock();
  const curl = (args: string[]) => run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', ...args], { timeoutMs: 30_000 });

  it('curl: HLS, progressive, API and metrics refuse anyone (401) and serve a user with -u (Basic) or --digest', async () => {
    for (const path of ['sample.mp4/index.m3u8', 'api/v1/status']) {
      expect((await curl([srv.httpUrl(path)])).stdout, path).toBe('401');
      expect((await curl(['-u', 'alice:secret', srv.httpUrl(path)])).stdout, path).toBe('200');
      expect((await curl(['--digest', '-u', 'alice:secret', srv.httpUrl(path)])).stdout, path).toBe('200');
      expect((await curl(['-u', 'alice:nope', srv.httpUrl(path)])).stdout, path).toBe('401');
    }
    expect((await curl(['-u', 'bob:builder', srv.httpUrl('api/v1/status')])).stdout).toBe('403');
    expect((await curl(['-u', 'alice:secret', '--max-time', '2', srv.httpUrl('sample.mp4/stream.ts')])).stdout).toBe('200');
  }, 60_000);

  it('VLC plays HLS and MPEG-TS with user:pass in the URL', async () => {
    // VLC refuses to run as root: as nobody, saving every 15th picture into a directory it may write.
    const tmp = mkdtempSync(join(tmpdir(), 'tidecast-auth-vlc-'));
    chmodSync(tmp, 0o755);
    chownSync(tmp, 65534, 65534);
    try {
      const vlc = async (url: string, name: string): Promise<{ pngs: number; why: string }> => {
        const args = ['-u', 'nobody', '--', 'env', 'HOME=/tmp', 'cvlc', '-I', 'dummy', '--play-and-exit', '--vout=dummy', '--aout=dummy', '--no-drop-late-frames', '--no-skip-frames',
          '--stop-time=4', '--video-filter=scene', `--scene-path=${tmp}`, `--scene-prefix=${name}`, '--scene-ratio=15', '--scene-format=png', url];
        const r = await run('runuser', args, { timeoutMs: 60_000, stopAfterMs: 40_000, stopSignal: 'SIGTERM' });
        const pngs = readdirSync(tmp).filter((f) => f.startsWith(name) && f.endsWith('.png') && statSync(join(tmp, f)).size > 1000).length;
        return { pngs, why: describeRun('cvlc', args, r) };
      };
      for (const path of ['sample.mp4/index.m3u8', 'sample.mp4/stream.ts']) {
        const name = path.replace(/\W/g, '');
        const ok = await vlc(srv.httpUrl(path).replace('http://', 'http://bob:builder@'), name);
        expect(ok.pngs, ok.why).toBeGreaterThanOrEqual(4);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 180_000);

  it('ffmpeg plays HLS and a progressive stream with user:pass in the URL, and a token URL', async () => {
    const hls = srv.httpUrl('sample.mp4/index.m3u8').replace('http://', 'http://bob:builder@');
    const args = ['-v', 'error', '-i', hls, '-t', '3', '-f', 'framecrc', '-'];
    const r = await run(resolveFfmpeg(), args, { timeoutMs: 60_000 });
    expect(r.code, describeRun('ffmpeg', args, r)).toBe(0);
    expect(r.stdout.split('\n').filter((l) => /^0,/.test(l)).length, describeRun('ffmpeg', args, r)).toBeGreaterThan(30);
    const login = await run('curl', ['-s', '-X', 'POST', '-u', 'bob:builder', srv.httpUrl('api/v1/login?action=read&path=sample.mkv')], { timeoutMs: 30_000 });
    const { token } = JSON.parse(login.stdout) as { token: string };
    for (const url of [srv.httpUrl(`sample.mkv/index.m3u8?token=${token}`), srv.httpUrl(`sample.mkv/stream.ts?token=${token}`)]) {
      const a = ['-v', 'error', '-i', url, '-t', '3', '-f', 'framecrc', '-'];
      const x = await run(resolveFfmpeg(), a, { timeoutMs: 60_000 });
      expect(x.code, describeRun('ffmpeg', a, x)).toBe(0);
      expect(x.stdout.split('\n').filter((l) => /^0,/.test(l)).length, describeRun('ffmpeg', a, x)).toBeGreaterThan(30);
    }
  }, 120_000);
});
