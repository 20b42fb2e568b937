// Refusals in words, and one log line each: ffmpeg publishing a codec the server cannot carry (415),
// a reader without the permission (403), a transport refused (461), a limit (503), and over HTTP a
// stream.mp4 of a path whose codecs fMP4 cannot carry (415 JSON). Each logs path, client and reason once.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { captureLog, type LogCapture, type LogLine } from '../helpers/log-capture.js';
import { waitFor } from '../helpers/read.js';
import { bodyText, RawRtspClient } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';
import type { ConfigInput } from '../../server/config.js';

const ffmpeg = resolveFfmpeg();
const ffprobe = resolveFfprobe();
let srv: TestServer | undefined;
const children: ChildProcess[] = [];
const clients: RawRtspClient[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const c of clients.splice(0)) c.close();
  await srv?.close();
  srv = undefined;
});

async function start(config: ConfigInput = {}): Promise<{ s: TestServer; log: LogCapture }> {
  const log = captureLog();
  srv = await startTestServer(config, { log: log.logger });
  return { s: srv, log };
}

/** The refusal lines (they carry `status`) at warn for `status`. */
const refusals = (log: LogCapture, status: number): LogLine[] => log.warnings((l) => l.status === status);

/** One line naming the path and the client as address:port, with `words` in its reason. */
function expectOneLine(log: LogCapture, status: number, path: string, words: RegExp): LogLine {
  const lines = refusals(log, status);
  expect(lines, JSON.stringify(log.lines)).toHaveLength(1);
  const l = lines[0]!;
  expect(l.path).toBe(path);
  expect(l.client).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(l.reason).toMatch(words);
  return l;
}

const G726_SDP = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=g726', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 0 RTP/AVP 97', 'a=rtpmap:97 G726-32/8000', 'a=control:streamid=0', ''].join('\r\n');

describe('RTSP refusals', () => {
  it('ffmpeg publishing G.726 gets 415 naming the codec, and the server logs one line', async () => {
    const { s, log } = await start();
    const args = ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000:duration=2', '-c:a', 'g726', '-ar', '8000', '-ac', '1', '-f', 'rtsp', '-rtsp_transport', 'tcp', s.url('live/g726')];
    const r = await run(ffmpeg, args, { timeoutMs: 30_000 });
    expect(r.code, describeRun('ffmpeg', args, r)).not.toBe(0);
    expect(r.stderr).toMatch(/415/);
    const line = expectOneLine(log, 415, '/live/g726', /G726/i);
    expect(line.method).toBe('ANNOUNCE');
    // The answer's words, as any client receives them (ffmpeg prints only the status line).
    const c = await RawRtspClient.open(s.rtspPort);
    clients.push(c);
    const res = await c.request('ANNOUNCE', s.url('live/g726b'), { 'Content-Type': 'application/sdp' }, G726_SDP);
    expect(res.status).toBe(415);
    expect(bodyText(res)).toMatch(/G726/i);
  });

  it('a reader without read permission gets 403 in words; the Digest challenge before it is not a warning', async () => {
    const { s, log } = await start({ authUsers: [{ user: 'pub', pass: 'secret', permissions: [{ action: 'publish' }] }] });
    const url = s.url('sample.mp4').replace('rtsp://', 'rtsp://pub:secret@');
    const args = ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv', url];
    const r = await run(ffprobe, args, { timeoutMs: 20_000 });
    expect(r.code, describeRun('ffprobe', args, r)).not.toBe(0);
    expect(r.stderr).toMatch(/403/);
    const line = expectOneLine(log, 403, '/sample.mp4', /pub|read/);
    expect(line.user).toBe('pub');
    expect(JSON.stringify(log.lines)).not.toContain('secret');
    // ffmpeg's first DESCRIBE has no credentials: its 401 is logged at info, not as a refusal.
    expect(refusals(log, 401)).toHaveLength(0);
    expect(log.lines.some((l) => l.status === 401 && l.level === 30)).toBe(true);
  });

  it('a multicast offer for a file gets 461 in words and one line', async () => {
    const { s, log } = await start();
    const args = ['-v', 'error', '-rtsp_transport', 'udp_multicast', '-show_entries', 'stream=codec_name', '-of', 'csv', s.url('sample.mp4')];
    const r = await run(ffprobe, args, { timeoutMs: 20_000 });
    expect(r.code, describeRun('ffprobe', args, r)).not.toBe(0);
    expect(r.stderr).toMatch(/461/);
    expectOneLine(log, 461, '/sample.mp4', /multicast/i);
  });

  it('a reader past maxSessions gets 503 naming the limit and one line', async () => {
    const { s, log } = await start({ maxSessions: 1 });
    const c = await RawRtspClient.open(s.rtspPort);
    clients.push(c);
    const held = await c.request('SETUP', `${s.url('sample.mp4')}/trackID=1`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    expect(held.status, bodyText(held)).toBe(200);
    const args = ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv', s.url('sample.mp4')];
    const r = await run(ffprobe, args, { timeoutMs: 20_000 });
    expect(r.code, describeRun('ffprobe', args, r)).not.toBe(0);
    expect(r.stderr).toMatch(/503/);
    expectOneLine(log, 503, '/sample.mp4', /maxSessions|limit of 1 sessions/);
  });
});

describe('HTTP refusals', () => {
  it('stream.mp4 of a G.711 path is 415 JSON in words, with one line', async () => {
    const { s, log } = await start();
    const pub = spawn(ffmpeg, ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000', '-c:a', 'pcm_alaw', '-ar', '8000', '-ac', '1', '-f', 'rtsp', '-rtsp_transport', 'tcp', s.url('live/alaw')], { stdio: 'ignore' });
    children.push(pub);
    let res: Response | undefined;
    await waitFor(async () => {
      res = await fetch(s.httpUrl('live/alaw/stream.mp4'));
      if (res.status === 415) return true;
      await res.body?.cancel();
      return false;
    }, 30_000, 'stream.mp4 of /live/alaw to answer 415');
    expect(res!.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res!.json()) as { error: string; status: number };
    expect(body.status).toBe(415);
    expect(body.error).toMatch(/PCMA/);
    expectOneLine(log, 415, '/live/alaw/stream.mp4', /PCMA/);
  });

  it('ffprobe reading stream.mp4 as a user without read permission gets 403 and one line naming the user', async () => {
    const { s, log } = await start({ authUsers: [{ user: 'pub', pass: 'secret', permissions: [{ action: 'publish' }] }] });
    const url = s.httpUrl('sample.mp4/stream.mp4').replace('http://', 'http://pub:secret@');
    const args = ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv', url];
    const r = await run(ffprobe, args, { timeoutMs: 20_000 });
    expect(r.code, describeRun('ffprobe', args, r)).not.toBe(0);
    expect(r.stderr).toMatch(/403/);
    const line = expectOneLine(log, 403, '/sample.mp4/stream.mp4', /pub|read/);
    expect(line.user).toBe('pub');
    expect(JSON.stringify(log.lines)).not.toContain('secret');
  });

  it('curl sending plain HTTP to the RTSP port gets 400 in words and one line', async () => {
    const { s, log } = await start();
    const args = ['-s', '-S', '-o', '-', '-w', '\n%{http_code}', `http://127.0.0.1:${s.rtspPort}/sample.mp4`];
    const r = await run('curl', args, { timeoutMs: 20_000 });
    expect(r.stdout, describeRun('curl', args, r)).toMatch(/400$/);
    expect(r.stdout).toMatch(/HTTP is served on port/);
    expectOneLine(log, 400, '/sample.mp4', /HTTP is served on port/);
  });
});
