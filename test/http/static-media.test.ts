// GET /<file> with curl: validators, 304s, byte ranges, HEAD, and a changed file getting a new ETag.
import { copyFileSync, mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

let srv: TestServer;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidecast-static-'));
  copyFileSync(join(MEDIA_DIR, 'sample.mp4'), join(dir, 'clip.mp4'));
  copyFileSync(join(MEDIA_DIR, 'sample.mp4'), join(dir, '.hidden.mp4'));
  srv = await startTestServer({ mediaDir: dir });
});
afterAll(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** curl's status line and headers (lower-cased names) for one request. */
async function curl(...args: string[]): Promise<{ status: number; headers: Map<string, string>; size: number }> {
  const a = ['-s', '-D', '-', '-o', '/dev/null', '-w', 'SIZE=%{size_download}\n', ...args];
  const r = await run('curl', a, { timeoutMs: 20_000 });
  expect(r.code, describeRun('curl', a, r)).toBe(0);
  const lines = r.stdout.split(/\r?\n/);
  const headers = new Map<string, string>();
  for (const l of lines.slice(1)) {
    const c = l.indexOf(':');
    if (c > 0) headers.set(l.slice(0, c).toLowerCase(), l.slice(c + 1).trim());
  }
  return { status: Number(lines[0]!.split(' ')[1]), headers, size: Number(/SIZE=(\d+)/.exec(r.stdout)![1]) };
}

describe('media files over HTTP', () => {
  it('sends ETag and Last-Modified, and answers both validators with 304', async () => {
    const url = srv.httpUrl('clip.mp4');
    const full = await curl(url);
    expect(full.status).toBe(200);
    expect(full.size).toBe(statSync(join(dir, 'clip.mp4')).size);
    const etag = full.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect((await curl('-H', `If-None-Match: ${etag}`, url)).status).toBe(304);
    expect((await curl('-H', `If-Modified-Since: ${full.headers.get('last-modified')}`, url)).status).toBe(304);
    expect((await curl('-H', 'If-None-Match: "other"', url)).status).toBe(200);
  });

  it('serves one byte range, refuses one past the end, and answers HEAD with the length only', async () => {
    const url = srv.httpUrl('clip.mp4');
    const size = statSync(join(dir, 'clip.mp4')).size;
    const part = await curl('-r', '100-199', url);
    expect([part.status, part.size, part.headers.get('content-range')]).toEqual([206, 100, `bytes 100-199/${size}`]);
    const past = await curl('-r', `${size}-`, url);
    expect([past.status, past.headers.get('content-range')]).toEqual([416, `bytes */${size}`]);
    const head = await curl('-I', url);
    expect([head.status, head.headers.get('content-length'), head.size]).toEqual([200, String(size), 0]);
  });

  it('a changed file gets a new ETag, and If-Range with the old one gets the whole file', async () => {
    const url = srv.httpUrl('clip.mp4');
    const before = (await curl('-I', url)).headers.get('etag')!;
    const t = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'clip.mp4'), t, t);
    const after = await curl('-I', url);
    expect(after.headers.get('etag')).not.toBe(before);
    expect((await curl('-r', '0-9', '-H', `If-Range: ${before}`, url)).status).toBe(200);
    expect((await curl('-r', '0-9', '-H', `If-Range: ${after.headers.get('etag')}`, url)).status).toBe(206);
  });

  it('does not serve hidden files', async () => {
    expect((await curl(srv.httpUrl('.hidden.mp4'))).status).toBe(404);
  });
});
