// The config API against the built CLI: paths added, changed and removed over HTTP, applied at once (ffprobe, BYE) and written
// back into the config file with its comments; the file watcher does not apply the server's own writes again.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { parseRtcpCompound } from '../../server/rtp/rtcp.js';
import { resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { CliServer, configDir } from '../helpers/cli-server.js';
import { waitFor } from '../helpers/read.js';
import { bodyText, RawRtspClient } from '../helpers/rtsp-client.js';
import { describeRun, run } from '../helpers/spawn.js';

const cfg = configDir();
let srv: CliServer;
const opened: { close(): void }[] = [];
const ADMIN = { Authorization: `Basic ${Buffer.from('admin:s3cret').toString('base64')}` };

const CONFIG = [
  '# Tidecast config: the API writes into this file, and this comment stays.',
  'rtspPort: 0',
  'httpPort: 0',
  'host: 127.0.0.1',
  'authUsers:',
  '  - user: admin',
  '    pass: s3cret # plain text, for the test',
  '    permissions: [{action: api}, {action: read}]',
  '  - user: any',
  '    permissions: [{action: read}]',
  'paths:',
  '  # The camera in the hall.',
  '  hall: {}',
  '',
].join('\n');

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = ADMIN): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(srv.httpUrl(`api/v1/${path}`), { method, headers: { ...headers, 'Content-Type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

async function probe(url: string): Promise<{ ok: boolean; codecs: string[]; what: string }> {
  const args = ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', url];
  const r = await run(resolveFfprobe(), args, { timeoutMs: 20_000 });
  return { ok: r.code === 0, codecs: r.stdout.split('\n').filter(Boolean).sort(), what: describeRun('ffprobe', args, r) };
}

const fileText = (): string => readFileSync(cfg.file, 'utf8');
const ONE = 'cams%2Fone';

beforeAll(async () => {
  cfg.write(CONFIG);
  srv = await CliServer.start(cfg.file);
}, 120_000);

afterAll(async () => {
  for (const o of opened.splice(0)) o.close();
  await srv?.stop();
  cfg.cleanup();
});

describe('config API (/api/v1/config)', () => {
  it('needs the api permission, and shows the running config with passwords masked', async () => {
    expect((await api('GET', 'config', undefined, {})).status).toBe(401);
    const r = await api('GET', 'config');
    expect(r.status).toBe(200);
    expect(r.json.authUsers).toEqual([expect.objectContaining({ user: 'admin', pass: '***' }), expect.objectContaining({ user: 'any' })]);
    expect(JSON.stringify(r.json)).not.toContain('s3cret');
    expect(Object.keys(r.json.paths as object)).toEqual(['hall']);
  });

  it('adds a path (201, served at once, written into the file with its comments), 409 for a name that exists, 400 with reasons', async () => {
    const source = `rtsp://127.0.0.1:${srv.rtspPort}/sample.mp4`;
    const r = await api('POST', `config/paths/${ONE}`, { source, sourceOnDemandCloseAfter: 1 });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    expect(r.json).toMatchObject({ name: 'cams/one', path: { source, sourceOnDemandCloseAfter: 1 }, file: cfg.file });
    const p = await probe(srv.url('cams/one'));
    expect(p.codecs, p.what).toEqual(['aac', 'h264']);
    const text = fileText();
    for (const kept of ['# Tidecast config: the API writes into this file, and this comment stays.', '# plain text, for the test', '# The camera in the hall.', 'hall: {}']) expect(text).toContain(kept);
    expect(text).toContain(`  cams/one:\n    source: ${source}\n    sourceOnDemandCloseAfter: 1\n`);
    expect((await api('POST', `config/paths/${ONE}`, {})).status).toBe(409);
    const bad = await api('POST', 'config/paths/cams%2Fbad', { source: 'http://camera.local/x', sourceOnDemand: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.json.reasons).toEqual([expect.stringMatching(/paths\["cams\/bad"\]\.source: must be "publisher" or an rtsp/), expect.stringMatching(/paths\["cams\/bad"\]\.sourceOnDemand/)]);
    expect(fileText()).toBe(text);
  }, 60_000);

  it('changes a path with PATCH (fields merged, null removes one) and 404s an unknown one', async () => {
    const r = await api('PATCH', `config/paths/${ONE}`, { sourceProtocol: 'udp', sourceOnDemandCloseAfter: null });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.path).toMatchObject({ sourceProtocol: 'udp', sourceOnDemandCloseAfter: 10 });
    expect(fileText()).toMatch(/ {2}cams\/one:\n {4}source: rtsp:\/\/127\.0\.0\.1:\d+\/sample\.mp4\n {4}sourceProtocol: udp\n/);
    const p = await probe(srv.url('cams/one'));
    expect(p.codecs, p.what).toEqual(['aac', 'h264']);
    expect((await api('PATCH', 'config/paths/nowhere', { sourceProtocol: 'udp' })).status).toBe(404);
  }, 60_000);

  it('removes a path: its reader gets RTCP BYE, the file loses it, and the watcher does not apply the writes again', async () => {
    const c = await RawRtspClient.open(srv.rtspPort);
    opened.push(c);
    const s = await c.request('SETUP', `${srv.url('cams/one')}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    expect(s.status, bodyText(s)).toBe(200);
    expect((await c.request('PLAY', srv.url('cams/one'), { Session: parseSession(s.headers.get('Session')!).id })).status).toBe(200);
    await waitFor(() => c.rtpOn(0).length > 5, 30_000, 'RTP of cams/one');
    const r = await api('DELETE', `config/paths/${ONE}`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ name: 'cams/one', removed: true, file: cfg.file });
    await waitFor(() => c.frames.some((f) => f.channel === 1 && parseRtcpCompound(f.data).some((x) => x.type === 'bye')), 20_000, 'RTCP BYE');
    expect(fileText()).not.toContain('cams/one');
    expect(fileText()).toContain('# The camera in the hall.');
    // An edit by hand after the API's: the watcher applies it, and only it (its events come after those of our writes).
    writeFileSync(cfg.file, fileText().replace('  hall: {}\n', '  hall: {}\n  by-hand: {}\n'));
    const line = await srv.waitLog((l) => /^reloaded tidecast\.yml/.test(l.msg), 20_000, 'the reload of the hand edit');
    expect(line.msg).toBe('reloaded tidecast.yml: +1 path (by-hand)');
    expect(srv.lines.filter((l) => /^reloaded/.test(l.msg))).toHaveLength(1);
    expect(srv.lines.filter((l) => /^config API/.test(l.msg)).map((l) => l.msg)).toEqual([
      `config API add cams/one: +1 path (cams/one); written to ${cfg.file}`,
      `config API patch cams/one: ~1 path (cams/one); written to ${cfg.file}`,
      `config API remove cams/one: -1 path (cams/one); written to ${cfg.file}`,
    ]);
  }, 60_000);
});
