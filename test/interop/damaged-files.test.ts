// Damaged media files through real clients: ffprobe gets 415 over RTSP, curl over progressive HTTP and HLS (ffprobe names no HTTP status), and a good file from the same server still reads.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDamagedFiles } from '../helpers/damaged-media.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

const FFPROBE = 'ffprobe';
let srv: TestServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidecast-damaged-interop-'));
  writeDamagedFiles(dir);
  copyFileSync(join(MEDIA_DIR, 'sample.mp4'), join(dir, 'good.mp4'));
  srv = await startTestServer({ mediaDir: dir, fileDemuxTimeout: 1 });
});
afterAll(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

const probe = (url: string, extra: string[] = []) => {
  const args = ['-v', 'error', ...extra, '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', url];
  return run(FFPROBE, args, { timeoutMs: 60_000 }).then((r) => ({ r, why: describeRun(FFPROBE, args, r) }));
};

describe('real clients on damaged files', () => {
  it.each(['cut-at-half.mp4', 'garbage.mkv', 'cut-130.mkv'])('%s: 415 over RTSP (UDP and TCP), progressive mp4/ts and HLS', async (name) => {
    for (const transport of ['tcp', 'udp']) {
      const { r, why } = await probe(srv.url(name), ['-rtsp_transport', transport]);
      expect(r.code, why).not.toBe(0);
      expect(r.stderr, why).toMatch(/DESCRIBE failed: 415 Unsupported Media Type/);
    }
    for (const path of [`${name}/stream.mp4`, `${name}/stream.ts`, `${name}/index.m3u8`]) {
      const args = ['-s', '-w', '\n%{http_code}', srv.httpUrl(path)];
      const r = await run('curl', args, { timeoutMs: 60_000 });
      const why = describeRun('curl', args, r);
      const [body, code] = r.stdout.split('\n');
      expect(code, why).toBe('415');
      expect(JSON.parse(body!).error, why).toContain(`/${name} cannot be streamed`);
    }
  }, 120_000);

  it('reads the good file beside them', async () => {
    const { r, why } = await probe(srv.url('good.mp4'), ['-rtsp_transport', 'tcp']);
    expect(r.code, why).toBe(0);
    expect(r.stdout.trim().split('\n').sort()).toEqual(['aac', 'h264']);
  });
});
