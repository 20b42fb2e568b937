// The media directory's boundary over RTSP and HTTP: a symbolic link out of it is never followed, a link within it is; an unreadable file's 415 names it relative to the directory, never the directory itself.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInside, withoutMediaDir } from '../../server/core/media-dir.js';
import { RawRtspClient, bodyText } from '../helpers/rtsp-client.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';

let root: string;
let media: string;
let srv: TestServer;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tidecast-media-dir-'));
  media = join(root, 'media');
  const outside = join(root, 'outside');
  mkdirSync(media);
  mkdirSync(outside);
  copyFileSync(join(MEDIA_DIR, 'sample.mp4'), join(media, 'sample.mp4'));
  copyFileSync(join(MEDIA_DIR, 'sample.mp4'), join(outside, 'secret.mp4'));
  symlinkSync('/etc/passwd', join(media, 'x.mp4')); // the report: GET /x.mp4 served /etc/passwd
  symlinkSync(join(outside, 'secret.mp4'), join(media, 'secret.mp4'));
  symlinkSync(outside, join(media, 'elsewhere')); // a directory link out
  symlinkSync('sample.mp4', join(media, 'alias.mp4')); // a link within: fine
  writeFileSync(join(media, 'bad.mp4'), Buffer.alloc(4096, 0x42));
  srv = await startTestServer({ mediaDir: media });
});
afterAll(async () => {
  await srv?.close();
  rmSync(root, { recursive: true, force: true });
});

async function describeStatus(path: string): Promise<{ status: number; body: string }> {
  const c = await RawRtspClient.open(srv.rtspPort);
  try {
    const r = await c.request('DESCRIBE', srv.url(path), { Accept: 'application/sdp' });
    return { status: r.status, body: bodyText(r) };
  } finally {
    c.close();
  }
}

async function httpGet(path: string): Promise<{ status: number; body: string }> {
  const r = await fetch(srv.httpUrl(path));
  return { status: r.status, body: await r.text() };
}

describe('symbolic links in the media directory', () => {
  it.each(['x.mp4', 'secret.mp4', 'elsewhere/secret.mp4'])('%s leads outside: refused over RTSP and every HTTP route', async (path) => {
    const rtsp = await describeStatus(path);
    expect(rtsp.status).toBe(404);
    expect(rtsp.body).toMatch(/outside the media directory|no such file/);
    for (const route of [path, `${path}/stream.mp4`, `${path}/stream.ts`, `${path}/index.m3u8`]) {
      const r = await httpGet(route);
      expect(r.status, route).toBe(404);
      expect(r.body).not.toMatch(/root:/);
      expect(r.body).not.toContain(root);
    }
  });

  it('a link that stays inside is served', async () => {
    expect((await describeStatus('alias.mp4')).status).toBe(200);
    const r = await fetch(srv.httpUrl('alias.mp4'));
    expect(r.status).toBe(200);
    expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });

  it('the file list shows no link that leads out', async () => {
    const r = (await (await fetch(srv.httpUrl('api/v1/paths'))).json()) as { files: { name: string }[] };
    const names = r.files.map((f) => f.name).sort();
    expect(names).toEqual(['alias.mp4', 'bad.mp4', 'sample.mp4']);
  });
});

describe('415 answers', () => {
  it('name the file relative to the media directory, over RTSP and HTTP', async () => {
    const rtsp = await describeStatus('bad.mp4');
    expect(rtsp.status).toBe(415);
    expect(rtsp.body).toMatch(/^\/bad\.mp4 cannot be streamed: not a media file/);
    for (const route of ['bad.mp4/stream.mp4', 'bad.mp4/index.m3u8']) {
      const r = await httpGet(route);
      expect(r.status, route).toBe(415);
      expect(JSON.parse(r.body).error).toMatch(/^\/bad\.mp4 cannot be streamed/);
    }
    for (const text of [rtsp.body, (await httpGet('bad.mp4/stream.ts')).body]) {
      expect(text).not.toContain(media);
      expect(text).not.toContain(root);
    }
  });

  it('withoutMediaDir replaces the file and the directory wherever they appear', () => {
    expect(withoutMediaDir('/srv/m/a/b.mp4: broken at /srv/m/a/b.mp4 (see /srv/m/c)', '/srv/m', '/srv/m/a/b.mp4', 'a/b.mp4')).toBe('broken at /a/b.mp4 (see /c)');
    expect(withoutMediaDir('cannot open /srv/m', '/srv/m', '/srv/m/x.mp4', 'x.mp4')).toBe('cannot open (media directory)');
    expect(isInside('/srv/m', '/srv/m/x')).toBe(true);
    expect(isInside('/srv/m', '/srv/m')).toBe(true);
    expect(isInside('/srv/m', '/srv/mx/y')).toBe(false);
    expect(isInside('/srv/m', '/etc/passwd')).toBe(false);
    expect(isInside('/srv/m', '/srv/m/..x')).toBe(true);
  });
});
