// Sidecar subtitles through real clients: a file with `name.en.vtt` beside it gets a WebVTT subtitles rendition in its HLS
// multivariant playlist, cut where the media's segments are; ffprobe lists it as a webvtt stream and ffmpeg reads its cues;
// VLC selects the rendition and decodes it with its WebVTT subtitle decoder.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';
import { waitFor } from '../helpers/read.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/subtitles/sample.en.vtt');
let srv: TestServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidecast-subtitles-'));
  copyFileSync(join(MEDIA_DIR, 'sample.mp4'), join(dir, 'sample.mp4'));
  copyFileSync(FIXTURE, join(dir, 'sample.en.vtt'));
  // The same clip without a sidecar keeps its plain playlist.
  copyFileSync(join(MEDIA_DIR, 'sample-vp9.webm'), join(dir, 'plain.webm'));
  srv = await startTestServer({ mediaDir: dir });
});
afterAll(async () => {
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function text(url: string): Promise<{ status: number; type: string; body: string }> {
  const r = await fetch(url);
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: await r.text() };
}

describe('sidecar subtitles over HLS', () => {
  it('lists a SUBTITLES rendition the variant names', async () => {
    const idx = await text(srv.httpUrl('sample.mp4/index.m3u8'));
    expect(idx.status).toBe(200);
    expect(idx.body).toContain('#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="subs.m3u8"');
    expect(idx.body).toMatch(/#EXT-X-STREAM-INF:[^\n]*SUBTITLES="subs"[^\n]*\nmedia\.m3u8\n/);
    const plain = await text(srv.httpUrl('plain.webm/index.m3u8'));
    expect(plain.body).not.toContain('SUBTITLES');
    expect((await text(srv.httpUrl('plain.webm/subs.m3u8'))).status).toBe(404);
  });

  it('cuts the subtitle playlist where the media playlist is cut, each segment mapped onto the media timeline', async () => {
    const media = (await text(srv.httpUrl('sample.mp4/media.m3u8'))).body;
    const subs = (await text(srv.httpUrl('sample.mp4/subs.m3u8'))).body;
    const extinf = (p: string): string[] => [...p.matchAll(/#EXTINF:([\d.]+),/g)].map((m) => m[1]!);
    expect(extinf(subs).length).toBeGreaterThan(3);
    expect(extinf(subs)).toEqual(extinf(media));
    expect(subs).toContain('#EXT-X-ENDLIST');
    const names = [...subs.matchAll(/^(subs-[0-9a-f]+-\d+\.vtt)$/gm)].map((m) => m[1]!);
    const segs = await Promise.all(names.map((n) => text(srv.httpUrl(`sample.mp4/${n}`))));
    for (const s of segs) {
      expect(s.status).toBe(200);
      expect(s.type).toMatch(/^text\/vtt/);
      expect(s.body).toMatch(/^WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:\d+,LOCAL:00:00:00\.000\n/);
    }
    const all = segs.map((s) => s.body).join('\n');
    for (const cue of ['First cue', 'Second cue', 'Third cue', 'Fourth cue']) expect(all).toContain(cue);
    expect(all).toContain('00:00:04.000 --> 00:00:06.500\nSecond cue');
  });

  it('ffprobe lists a webvtt stream and ffmpeg reads the cues', async () => {
    const ffprobe = resolveFfprobe();
    const args = ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name', '-of', 'csv=p=0', srv.httpUrl('sample.mp4/subs.m3u8')];
    const r = await run(ffprobe, args, { timeoutMs: 20_000 });
    expect(r.stdout.trim().split('\n'), describeRun(ffprobe, args, r)).toContain('webvtt,subtitle');
    const ffmpeg = resolveFfmpeg();
    const args2 = ['-v', 'error', '-i', srv.httpUrl('sample.mp4/subs.m3u8'), '-f', 'webvtt', '-'];
    const r2 = await run(ffmpeg, args2, { timeoutMs: 20_000 });
    expect(r2.stdout, describeRun(ffmpeg, args2, r2)).toMatch(/00:01\.000 --> 00:03\.000\nFirst cue/);
    expect(r2.stdout).toContain('Fourth cue');
  });

  it('VLC picks the SUBTITLES rendition, fetches its WebVTT segments and decodes them with its subtitle decoder', async () => {
    // VLC refuses to run as root: as nobody. Its -vv log names what its HLS demuxer and decoders do.
    const url = srv.httpUrl('sample.mp4/index.m3u8');
    const args = ['-u', 'nobody', '--', 'env', 'HOME=/tmp', 'cvlc', '-vv', '-I', 'dummy', '--play-and-exit', '--vout=dummy', '--aout=dummy', '--sub-track=0', '--stop-time=4', url];
    const r = await run('runuser', args, { timeoutMs: 60_000, stopAfterMs: 40_000, stopSignal: 'SIGTERM' });
    const log = r.stdout + r.stderr;
    const why = describeRun('cvlc', args, r);
    expect(log, why).toMatch(/BaseAdaptationSet subs English/);
    expect(log, why).toMatch(/Retrieving http:\/\/[^ ]+\/sample\.mp4\/subs-[0-9a-f]+-0\.vtt/);
    expect(log, why).toMatch(/using spu decoder module "webvtt"/);
  });

  it('the multivariant playlist still plays in ffprobe: video and audio', async () => {
    const ffprobe = resolveFfprobe();
    const args = ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', srv.httpUrl('sample.mp4/index.m3u8')];
    const r = await run(ffprobe, args, { timeoutMs: 20_000 });
    const types = r.stdout.trim().split('\n');
    expect(types, describeRun(ffprobe, args, r)).toContain('video');
    expect(types).toContain('audio');
  });
});

describe('live captions API', () => {
  it('needs publish on the path, checks its body, answers 404 off air, and serves the cue as WebVTT to HLS', async () => {
    const live = await startTestServer({
      authUsers: [
        { user: 'alice', pass: 'secret', permissions: [{ action: 'read' }, { action: 'publish', path: 'live/*' }] },
        { user: 'bob', pass: 'builder', permissions: [{ action: 'read' }, { action: 'api' }] },
      ],
      paths: { 'live/cap': { ffmpeg: `-re -stream_loop -1 -i ${join(MEDIA_DIR, 'sample.mp4')} -c copy`, sourceOnDemand: false } },
    });
    onTestFinished(() => live.close());
    const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    const alice = basic('alice', 'secret');
    const post = (path: string, body: string, auth = alice): Promise<Response> =>
      fetch(live.httpUrl(`api/v1/paths/${path}/captions`), { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: auth }, body });
    const get = async (path: string): Promise<string> => (await fetch(live.httpUrl(path), { headers: { Authorization: alice } })).text();

    expect((await post('live/cap', '{"text":"hi"}', basic('bob', 'builder'))).status).toBe(403);
    for (const bad of ['{"text": 5}', '{"text": ""}', '[1]', '{"text":"x","duration":-1}', '{"text":"x","duration":"3"}', '{not json']) {
      const r = await post('live/cap', bad);
      expect(r.status, bad).toBe(400);
      expect(((await r.json()) as { error?: string }).error, bad).toBeTruthy();
    }
    expect((await post('live/none', '{"text":"hi"}')).status).toBe(404);

    let placed: { start: number; end: number; text: string } | undefined;
    await waitFor(async () => {
      const r = await post('live/cap', '{"text":"On air","duration":5}');
      if (r.status === 200) placed = (await r.json()) as typeof placed;
      return placed !== undefined;
    }, 30_000, 'the path to go live (POST captions answering 200)', 250);
    expect(placed!.text).toBe('On air');
    expect(placed!.end - placed!.start).toBeCloseTo(5, 3);

    const idx = await get('live/cap/index.m3u8');
    expect(idx).toContain('#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Captions",DEFAULT=YES,AUTOSELECT=YES,URI="subs.m3u8"');
    expect(idx).toMatch(/SUBTITLES="subs"[^\n]*\nmedia\.m3u8\n/);
    const subs = await get('live/cap/subs.m3u8');
    expect(subs).toContain('#EXT-X-PROGRAM-DATE-TIME:');
    const seg = /^(subs-[0-9a-f]+-\d+\.vtt)$/m.exec(subs)?.[1];
    expect(seg, subs).toBeDefined();
    const vtt = await get(`live/cap/${seg}`);
    // Live fMP4 presents at the stream's media time + 10 s: local 0 is MPEGTS 900000.
    expect(vtt).toMatch(/^WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00\.000\n/);
    expect(vtt).toContain('On air');
  });
});
