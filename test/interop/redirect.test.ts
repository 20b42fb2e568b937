// REDIRECT (RFC 2326 §11.3.3): a path configured with `redirect:` answers 302 + Location, and ffprobe follows it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { bodyText, RawRtspClient } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

let target: TestServer;
let srv: TestServer;

beforeAll(async () => {
  target = await startTestServer();
  srv = await startTestServer({ paths: { redir: { redirect: target.url('sample.mp4') }, 'old/cam': { redirect: target.url('sample.mkv') } } });
});
afterAll(async () => {
  await srv?.close();
  await target?.close();
});

describe('REDIRECT', () => {
  it('answers OPTIONS, DESCRIBE and SETUP on the path with 302 and Location', async () => {
    const c = await RawRtspClient.open(srv.rtspPort);
    try {
      for (const [method, url] of [['OPTIONS', srv.url('redir')], ['DESCRIBE', srv.url('redir')], ['SETUP', `${srv.url('redir')}/trackID=0`]] as const) {
        const res = await c.request(method, url, method === 'SETUP' ? { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' } : {});
        expect(res.status, `${method}: ${bodyText(res)}`).toBe(302);
        expect(res.headers.get('Location')).toBe(target.url('sample.mp4'));
      }
      // Other paths are untouched.
      expect((await c.request('DESCRIBE', srv.url('sample.mp4'))).status).toBe(200);
      // Nobody can publish to a redirected path.
      const sdp = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\na=control:trackID=0\r\n';
      const ann = await c.request('ANNOUNCE', srv.url('redir'), { 'Content-Type': 'application/sdp' }, sdp);
      expect(ann.status).toBe(403);
      expect(bodyText(ann)).toMatch(/redirects to rtsp:/);
    } finally {
      c.close();
    }
  });

  it('ffprobe follows the 302 and reports the target stream', async () => {
    for (const [path, codecs] of [['redir', 'h264,aac'], ['old/cam', 'h264,opus']] as const) {
      const args = ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', srv.url(path)];
      const r = await run(resolveFfprobe(), args, { timeoutMs: 20_000 });
      expect(r.code, describeRun('ffprobe', args, r)).toBe(0);
      expect(r.stdout.trim().split('\n').join(','), describeRun('ffprobe', args, r)).toBe(codecs);
    }
  });
});
