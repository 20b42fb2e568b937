// OPTIONS lists every method the server implements, and each listed method is really handled (never 501).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePublic } from '../../server/rtsp/headers/public.js';
import { IMPLEMENTED_METHODS } from '../../server/rtsp/state-table.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { RawRtspClient } from '../helpers/rtsp-client.js';

let srv: TestServer;
let c: RawRtspClient;
beforeAll(async () => {
  srv = await startTestServer();
  c = await RawRtspClient.open(srv.rtspPort);
});
afterAll(async () => {
  c.close();
  await srv.close();
});

describe('OPTIONS Public', () => {
  it('names reading and publishing methods alike, GET_PARAMETER included', async () => {
    const r = await c.request('OPTIONS', srv.url('sample.mp4'));
    expect(r.status).toBe(200);
    const listed = parsePublic(r.headers.get('Public') ?? '');
    expect(listed).toEqual(['OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN', 'GET_PARAMETER', 'SET_PARAMETER', 'ANNOUNCE', 'RECORD']);
    expect(new Set(listed)).toEqual(new Set(IMPLEMENTED_METHODS));
  });

  it('every listed method reaches its handler: none is answered 501', async () => {
    const listed = parsePublic((await c.request('OPTIONS', srv.url('sample.mp4'))).headers.get('Public') ?? '');
    for (const m of listed) {
      // Without a session most are refused (454/455/400...), but by the method's own rules, not as unknown.
      const r = await c.request(m, srv.url(m === 'ANNOUNCE' ? 'live/options-check' : 'sample.mp4'));
      expect(r.status, `${m} -> ${r.status}`).not.toBe(501);
    }
    expect((await c.request('REDIRECT', srv.url('sample.mp4'))).status).toBe(501);
  });
});
