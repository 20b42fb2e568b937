// Progressive HTTP: stream.mp4 and stream.ts of media files and live paths decode in ffmpeg/ffprobe; headers, errors, ranges; slow readers.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveFeed } from '../../server/http/progressive/live.js';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { waitFor } from '../helpers/read.js';
import { sleep } from '../helpers/rtsp-client.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

const QUEUE = 256 * 1024;
let srv: TestServer;
let ffmpeg: string;
let ffprobe: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  ffmpeg = resolveFfmpeg();
  ffprobe = resolveFfprobe();
  srv = await startTestServer({ tcpQueueBytes: QUEUE, slowReaderTimeout: 3 });
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await srv?.close();
});

/** ffmpeg decodes `url` (all streams) to null; stderr at -v warning must stay empty. `extra` are input options, `out` output ones. */
async function decode(url: string, extra: string[] = [], out: string[] = []): Promise<{ frames: Record<string, number>; args: string[]; r: Awaited<ReturnType<typeof run>> }> {
  const args = ['-v', 'warning', ...extra, '-i', url, ...out, '-f', 'framecrc', '-'];
  const r = await run(ffmpeg, args, { timeoutMs: 40_000 });
  const frames: Record<string, number> = {};
  for (const l of r.stdout.split('\n')) {
    const m = /^(\d+),/.exec(l);
    if (m) frames[m[1]!] = (frames[m[1]!] ?? 0) + 1;
  }
  return { frames, args, r };
}

async function publish(path: string, readrate = '1'): Promise<void> {
  const child = spawn(ffmpeg, ['-v', 'error', '-readrate', readrate, '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url(path)], { stdio: 'ignore' });
  children.push(child);
  await waitFor(async () => (await fetch(srv.httpUrl(`${path}/stream.ts`), { method: 'HEAD' })).status === 200, 45_000, `/${path} to go live`);
}

describe('media files', () => {
  for (const file of ['sample.mp4', 'sample.mkv', 'sample.ts']) {
    for (const fmt of ['mp4', 'ts']) {
      it(`${file}/stream.${fmt} decodes whole, every frame, without a warning`, async () => {
        const d = await decode(srv.httpUrl(`${file}/stream.${fmt}`));
        expect(d.r.stderr, describeRun(ffmpeg, d.args, d.r)).toBe('');
        expect(d.r.code).toBe(0);
        expect(d.frames['0']).toBe(600); // 20 s at 30 fps
        expect(d.frames['1']).toBeGreaterThan(900); // 20 s of AAC (938) or Opus (1000) frames
      });
    }
  }

  it('?start=10 starts at the key frame at 10 s', async () => {
    for (const fmt of ['mp4', 'ts']) {
      const args = ['-v', 'error', '-select_streams', 'v', '-show_entries', 'frame=pts_time,key_frame', '-read_intervals', '%+#1', '-of', 'csv', srv.httpUrl(`sample.mp4/stream.${fmt}?start=10.5`)];
      const r = await run(ffprobe, args, { timeoutMs: 20_000 });
      const [, key, t] = r.stdout.trim().split('\n')[0]!.split(',');
      expect(key, describeRun(ffprobe, args, r)).toBe('1');
      // MP4 keeps file time (plus the reorder delay); TS adds its 1.4 s offset.
      expect(Number(t) - (fmt === 'ts' ? 1.4 : 0)).toBeCloseTo(10, 1);
      const d = await decode(srv.httpUrl(`sample.mp4/stream.${fmt}?start=10.5`));
      expect(d.r.stderr, describeRun(ffmpeg, d.args, d.r)).toBe('');
      expect(d.frames['0']).toBe(300);
    }
  });

  it('curl | ffprobe: the TS decodes from a pipe', async () => {
    const args = ['-c', `curl -s ${srv.httpUrl('sample.ts/stream.ts')} | ${ffprobe} -v error -count_frames -show_entries stream=codec_name,nb_read_frames -of csv -`];
    const r = await run('sh', args, { timeoutMs: 30_000 });
    expect(r.stderr, describeRun('sh', args, r)).toBe('');
    expect(r.stdout).toContain('h264,600');
    expect(r.stdout).toMatch(/aac,9\d\d/);
  });
});

describe('live paths', () => {
  it('stream.mp4 and stream.ts decode from a key frame with no warning, readers share one muxer', async () => {
    await publish('live/prog');
    await sleep(1000); // join inside a GOP: the first frame must still be a key frame
    const results = await Promise.all(
      ['mp4', 'ts', 'mp4'].map(async (fmt) => {
        const url = srv.httpUrl(`live/prog/stream.${fmt}`);
        const [d, first] = await Promise.all([
          decode(url, ['-t', '4']),
          run(ffprobe, ['-v', 'error', '-select_streams', 'v', '-show_entries', 'frame=key_frame', '-read_intervals', '%+#1', '-of', 'csv', url], { timeoutMs: 20_000 }),
        ]);
        return { d, first };
      }),
    );
    for (const { d, first } of results) {
      expect(d.r.stderr, describeRun(ffmpeg, d.args, d.r)).toBe('');
      expect(d.frames['0']).toBeGreaterThanOrEqual(100);
      expect(d.frames['1']).toBeGreaterThan(100);
      expect(first.stdout.trim().split('\n')[0]).toMatch(/^frame,1\b/);
    }
    const stream = srv.paths.livePath('live/prog').stream!;
    // Readers gone: the muxers are released with them.
    await waitFor(() => !LiveFeed.existing(stream, 'mp4') && !LiveFeed.existing(stream, 'ts'), 30_000, 'the muxers to be released');
    expect(stream.readerCount).toBe(0);
  }, 90_000);

  it('the built-in testsrc (ffmpeg on demand) plays over HTTP', async () => {
    const d = await decode(srv.httpUrl('testsrc/stream.ts'), ['-t', '3']);
    expect(d.r.stderr, describeRun(ffmpeg, d.args, d.r)).toBe('');
    expect(d.frames['0']).toBeGreaterThan(50);
  }, 60_000);

  it('a reader that reads nothing stays bounded and is dropped; a normal reader keeps up', async () => {
    await publish('live/slowhttp', '8');
    const stream = srv.paths.livePath('live/slowhttp').stream!;
    const sock = connect(srv.httpPort, '127.0.0.1');
    try {
      await new Promise((r) => sock.once('connect', r));
      sock.write(`GET /live/slowhttp/stream.ts HTTP/1.1\r\nHost: x\r\n\r\n`);
      sock.pause();
      let feed: LiveFeed | undefined;
      await waitFor(() => (feed = LiveFeed.existing(stream, 'ts')) !== undefined, 20_000, 'the TS feed of the paused reader');
      const slow = [...feed!.clients][0]!;
      // The normal reader copies packets without decoding, so keeping up with the 8x publisher
      // costs it little CPU even on a loaded machine.
      const normal = decode(srv.httpUrl('live/slowhttp/stream.ts'), ['-t', '6'], ['-c', 'copy']);
      let maxQueued = 0;
      await waitFor(
        () => {
          maxQueued = Math.max(maxQueued, slow.queuedBytes);
          return slow.closed;
        },
        60_000,
        'the paused reader to be dropped',
        20,
      );
      expect(slow.skipped).toBeGreaterThan(0);
      // Bounded: the queue bound plus one chunk (a key frame with its tables).
      expect(maxQueued).toBeLessThan(QUEUE + 512 * 1024);
      const d = await normal;
      expect(d.r.stderr, describeRun(ffmpeg, d.args, d.r)).toBe('');
      expect(d.frames['0']).toBeGreaterThan(150);
    } finally {
      sock.destroy();
    }
  }, 90_000);
});

describe('VLC', () => {
  // VLC refuses to run as root (INTEROP.md): as nobody, with no interface and dummy outputs.
  for (const fmt of ['ts', 'mp4']) {
    it(`opens stream.${fmt} of a live path and starts its video and audio decoders without errors`, async () => {
      await publish('live/vlc');
      const args = ['-u', 'nobody', '--', 'env', 'HOME=/tmp', 'cvlc', '-I', 'dummy', '-V', 'dummy', '-A', 'dummy', '--no-media-library', '--play-and-exit', '--run-time', '4', '-vv', srv.httpUrl(`live/vlc/stream.${fmt}`)];
      const r = await run('runuser', args, { timeoutMs: 45_000 });
      const log = r.stdout + r.stderr;
      const why = describeRun('runuser', args, r);
      expect(log, why).toContain(`using demux module "${fmt}"`);
      expect(log, why).toMatch(/using video decoder module "avcodec"/);
      expect(log, why).toMatch(/using audio decoder module "(faad|avcodec)"/);
      expect(log, why).not.toMatch(/(ts|mp4) demux error|main decoder error|avcodec decoder error/);
    }, 60_000);
  }
});

describe('HTTP behaviour', () => {
  it('content types, caching, CORS', async () => {
    const f = await fetch(srv.httpUrl('sample.mp4/stream.mp4'), { headers: { Origin: 'http://elsewhere.example' } });
    expect(f.headers.get('content-type')).toBe('video/mp4');
    expect(f.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(f.headers.get('access-control-allow-origin')).toBe('*');
    await f.body?.cancel();
    const t = await fetch(srv.httpUrl('sample.mkv/stream.ts'), { method: 'HEAD' });
    expect(t.status).toBe(200);
    expect(t.headers.get('content-type')).toBe('video/mp2t');
    const pre = await fetch(srv.httpUrl('sample.mp4/stream.mp4'), { method: 'OPTIONS', headers: { Origin: 'http://elsewhere.example', 'Access-Control-Request-Headers': 'range' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('live streams are never cached', async () => {
    await publish('live/headers');
    const r = await fetch(srv.httpUrl('live/headers/stream.mp4'), { method: 'HEAD' });
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('content-type')).toBe('video/mp4');
  }, 30_000);

  it('unknown paths and bad requests get JSON reasons', async () => {
    const nf = await fetch(srv.httpUrl('nope/cam/stream.mp4'));
    expect(nf.status).toBe(404);
    expect(nf.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await nf.json()) as { error: string; status: number };
    expect(body.status).toBe(404);
    expect(body.error).toContain('/nope/cam');
    const bad = await fetch(srv.httpUrl('sample.mp4/stream.ts?start=soon'));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('seconds');
    const past = await fetch(srv.httpUrl('sample.mp4/stream.ts?start=99'));
    expect(past.status).toBe(416);
    await past.body?.cancel();
  });

  it('media files are served with byte ranges', async () => {
    const whole = await fetch(srv.httpUrl('sample.mp4'));
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const all = new Uint8Array(await whole.arrayBuffer());
    const part = await fetch(srv.httpUrl('sample.mp4'), { headers: { Range: 'bytes=1000-1999' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${all.length}`);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(all.subarray(1000, 2000));
    const beyond = await fetch(srv.httpUrl('sample.mp4'), { headers: { Range: `bytes=${all.length + 10}-` } });
    expect(beyond.status).toBe(416);
    await beyond.body?.cancel();
    expect((await fetch(srv.httpUrl('README.md'))).status).toBe(404);
  });
});
