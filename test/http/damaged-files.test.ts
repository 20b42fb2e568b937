// Damaged media files on a real server: 415 with the reason on RTSP DESCRIBE, progressive mp4/ts, HLS VOD and the API; each demuxed once (metrics), a fixed file plays.
import { copyFileSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDamagedFiles, type DamagedFile } from '../helpers/damaged-media.js';
import { bodyText, RawRtspClient } from '../helpers/rtsp-client.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let dir: string;
let files: DamagedFile[];
let rtsp: RawRtspClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidecast-damaged-srv-'));
  files = writeDamagedFiles(dir);
  copyFileSync(join(MEDIA_DIR, 'sample.mp4'), join(dir, 'good.mp4'));
  // The shortest progress watch the config allows: the demuxer traps end in a second or two.
  srv = await startTestServer({ mediaDir: dir, fileDemuxTimeout: 1 });
  rtsp = await RawRtspClient.open(srv.rtspPort);
});
afterAll(async () => {
  rtsp?.close();
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(srv.httpUrl('metrics'))).text();
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  if (!m) throw new Error(`no ${name} in /metrics`);
  return Number(m[1]);
}

/** The five ways to ask for a file; each must answer 415 with the reason. */
async function askEveryProtocol(f: DamagedFile): Promise<void> {
  const d = await rtsp.request('DESCRIBE', srv.url(f.name), { Accept: 'application/sdp' });
  expect(d.status, f.name).toBe(415);
  expect(bodyText(d)).toMatch(f.reason);
  for (const url of [`${f.name}/stream.mp4`, `${f.name}/stream.ts`, `${f.name}/index.m3u8`, `api/v1/paths/${f.name}`]) {
    const r = await fetch(srv.httpUrl(url));
    expect(r.status, url).toBe(415);
    const body = (await r.json()) as { error: string; status: number };
    expect(body.status).toBe(415);
    expect(body.error, url).toMatch(f.reason);
    expect(body.error).toContain(`/${f.name} cannot be streamed`);
  }
}

describe('damaged files on every protocol', () => {
  it('each answers 415 with its reason on RTSP, progressive mp4/ts, HLS and the API, and is demuxed once', async () => {
    const before = { demuxes: await metric('tidecast_file_demuxes_total'), remembered: await metric('tidecast_file_failures_remembered_total') };
    for (const f of files) await askEveryProtocol(f);
    // Five requests per file: the first demuxes it, the other four get the remembered failure.
    expect(await metric('tidecast_file_demuxes_total')).toBe(before.demuxes + files.length);
    expect(await metric('tidecast_file_demux_failures_total')).toBe(files.length);
    expect(await metric('tidecast_file_failures_remembered_total')).toBe(before.remembered + 4 * files.length);
    // Asked again: still no demux.
    for (const f of files) await askEveryProtocol(f);
    expect(await metric('tidecast_file_demuxes_total')).toBe(before.demuxes + files.length);
  }, 120_000);

  it('the server goes on serving a good file beside them', async () => {
    const d = await rtsp.request('DESCRIBE', srv.url('good.mp4'), { Accept: 'application/sdp' });
    expect(d.status).toBe(200);
    const r = await fetch(srv.httpUrl('good.mp4/index.m3u8'));
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('#EXTINF');
  });

  it('a fixed file is demuxed again and plays', async () => {
    const name = 'cut-at-half.mp4';
    const f = files.find((x) => x.name === name)!;
    await askEveryProtocol(f);
    const demuxes = await metric('tidecast_file_demuxes_total');
    copyFileSync(join(MEDIA_DIR, 'sample.mp4'), join(dir, name));
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, name), later, later);
    const d = await rtsp.request('DESCRIBE', srv.url(name), { Accept: 'application/sdp' });
    expect(d.status).toBe(200);
    expect(bodyText(d)).toContain('a=range:npt=0-20');
    expect(await metric('tidecast_file_demuxes_total')).toBe(demuxes + 1);
  });
});
