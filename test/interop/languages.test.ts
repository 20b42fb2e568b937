// Audio alternatives (languages) through real clients: ffprobe lists both languages of the bundled two-language clip over
// RTSP and HLS, ffmpeg -map takes the French one over RTSP, ?audio=fre gives it over progressive MP4, and a live
// publisher's a=lang survives to its readers' DESCRIBE. English is a 440 Hz stereo tone, French a 1000 Hz mono one:
// the decoded sound says which track a client got.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { publishSample, waitPlaylist } from '../http/hls-source.js';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';
import { RawPublisher } from '../helpers/raw-publisher.js';
import { bodyText, RawRtspClient } from '../helpers/rtsp-client.js';

const CLIP = 'sample-languages.mkv';
let srv: TestServer;
let ffmpeg: string;
let ffprobe: string;
let dir: string;

beforeAll(async () => {
  ffmpeg = resolveFfmpeg();
  ffprobe = resolveFfprobe();
  dir = mkdtempSync(join(tmpdir(), 'tidecast-languages-'));
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Probed {
  codec_type: string;
  channels?: number;
  tags?: { language?: string };
}

async function probe(url: string, extra: string[] = []): Promise<{ audio: Probed[]; info: string }> {
  const args = ['-v', 'error', ...extra, '-show_entries', 'stream=codec_type,channels:stream_tags=language', '-of', 'json', url];
  const r = await run(ffprobe, args, { timeoutMs: 20_000 });
  let streams: Probed[] = [];
  try {
    streams = (JSON.parse(r.stdout) as { streams?: Probed[] }).streams ?? [];
  } catch {
    streams = [];
  }
  return { audio: streams.filter((s) => s.codec_type === 'audio'), info: describeRun(ffprobe, args, r) };
}

/**
 * Decodes one second of the audio `map` picks from `url` to 16 kHz mono and measures its tone:
 * zero crossings per second over two.
 */
async function toneOf(url: string, input: string[], map: string, name: string): Promise<{ hz: number; info: string }> {
  const out = join(dir, `${name}.raw`);
  const args = ['-v', 'error', '-y', ...input, '-i', url, '-map', map, '-ss', '0.5', '-t', '1', '-ac', '1', '-ar', '16000', '-f', 's16le', out];
  const r = await run(ffmpeg, args, { timeoutMs: 30_000 });
  let pcm: Buffer;
  try {
    pcm = readFileSync(out);
  } catch {
    pcm = Buffer.alloc(0);
  }
  const n = Math.floor(pcm.length / 2);
  let crossings = 0;
  for (let i = 1; i < n; i++) if (pcm.readInt16LE(2 * (i - 1)) < 0 !== pcm.readInt16LE(2 * i) < 0) crossings++;
  return { hz: n > 0 ? crossings / 2 / (n / 16000) : 0, info: `${describeRun(ffmpeg, args, r)}\nsamples=${n}` };
}

describe('audio alternatives of a file', () => {
  it('ffprobe lists both audio languages over RTSP', async () => {
    const p = await probe(srv.url(CLIP), ['-rtsp_transport', 'tcp']);
    expect(p.audio.map((s) => [s.tags?.language, s.channels]), p.info).toEqual([
      ['eng', 2],
      ['fre', 1],
    ]);
  });

  it('ffmpeg -map picks the French track over RTSP', async () => {
    const fr = await toneOf(srv.url(CLIP), ['-rtsp_transport', 'tcp'], '0:a:m:language:fre', 'rtsp-fre');
    expect(Math.abs(fr.hz - 1000), fr.info).toBeLessThan(50);
    const en = await toneOf(srv.url(CLIP), ['-rtsp_transport', 'tcp'], '0:a:m:language:eng', 'rtsp-eng');
    expect(Math.abs(en.hz - 440), en.info).toBeLessThan(30);
  });

  it('ffprobe lists both audio languages over HLS, as renditions of one group', async () => {
    const res = await fetch(srv.httpUrl(`${CLIP}/index.m3u8`));
    const text = await res.text();
    expect(text).toMatch(/#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",LANGUAGE="en",NAME="English",DEFAULT=YES/);
    expect(text).toMatch(/#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",LANGUAGE="fr",NAME="Français",DEFAULT=NO/);
    expect(text).toMatch(/#EXT-X-STREAM-INF:.*AUDIO="audio"/);
    const p = await probe(srv.httpUrl(`${CLIP}/index.m3u8`));
    expect(p.audio.map((s) => [s.tags?.language, s.channels]).sort(), p.info).toEqual([
      ['en', 2],
      ['fr', 1],
    ]);
  });

  it('?audio=fre over progressive MP4 carries the French track alone', async () => {
    const url = srv.httpUrl(`${CLIP}/stream.mp4?audio=fre`);
    const p = await probe(url);
    // mdhd holds ISO 639-2/T: French is "fra" there.
    expect(p.audio.map((s) => [s.tags?.language, s.channels]), p.info).toEqual([['fra', 1]]);
    const fr = await toneOf(url, [], '0:a', 'mp4-fre');
    expect(Math.abs(fr.hz - 1000), fr.info).toBeLessThan(50);
    const missing = await fetch(srv.httpUrl(`${CLIP}/stream.mp4?audio=deu`));
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('eng (English), fre (French)');
  });

  it('the REST API lists each track language and title', async () => {
    // The API lists a file's tracks once it has been opened (demuxed): the playlist opens it.
    expect((await fetch(srv.httpUrl(`${CLIP}/index.m3u8`))).status).toBe(200);
    const res = await fetch(srv.httpUrl(`api/v1/paths/${CLIP}`));
    const body = (await res.json()) as { tracks?: { kind: string; language?: string; name?: string }[] };
    expect(body.tracks?.filter((t) => t.kind === 'audio').map((t) => [t.language, t.name]), JSON.stringify(body)).toEqual([
      ['eng', 'English'],
      ['fre', 'Français'],
    ]);
  });
});

describe('audio alternatives of a live publisher', () => {
  const SDP = [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=two languages',
    't=0 0',
    'm=audio 0 RTP/AVP 97',
    'a=rtpmap:97 MPEG4-GENERIC/48000/2',
    'a=fmtp:97 streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1190',
    'a=lang:en',
    'a=control:trackID=0',
    'm=audio 0 RTP/AVP 98',
    'a=rtpmap:98 MPEG4-GENERIC/48000/1',
    'a=fmtp:98 streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1188',
    'i=Version française',
    'a=lang:fr',
    'a=control:trackID=1',
    '',
  ].join('\r\n');

  it('HLS of a live path with two audio tracks: ffprobe reads both renditions; ?audio= picks one over progressive', async () => {
    // ffmpeg's RTSP muxer writes no a=lang: the renditions are "Audio 1" and "Audio 2", told apart by channels.
    const pub = publishSample(srv, 'live/two-audio', CLIP, ['-map', '0']);
    onTestFinished(() => pub.stop());
    const text = await waitPlaylist(srv.httpUrl('live/two-audio/index.m3u8'));
    expect(text).toMatch(/#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Audio 2",DEFAULT=NO,AUTOSELECT=YES,CHANNELS="1",URI="audio-2.m3u8"/);
    const p = await probe(srv.httpUrl('live/two-audio/index.m3u8'));
    expect(p.audio.map((s) => s.channels).sort(), `${p.info}\n${pub.stderr()}`).toEqual([1, 2]);
    // A live progressive reader takes one of them by id (the tracks have no language).
    const one = await probe(srv.httpUrl('live/two-audio/stream.mp4?audio=track2'));
    expect(one.audio.map((s) => s.channels), one.info).toEqual([1]);
  });

  it('keeps each track a=lang and title in the DESCRIBE its readers get', async () => {
    const pub = await RawPublisher.start(srv.rtspPort, srv.url('live/languages'), SDP, 2);
    const reader = await RawRtspClient.open(srv.rtspPort);
    try {
      const d = await reader.request('DESCRIBE', srv.url('live/languages'), { Accept: 'application/sdp' });
      const sdp = bodyText(d);
      expect(d.status, sdp).toBe(200);
      const media = sdp.split(/\r?\n(?=m=)/).slice(1);
      expect(media.map((m) => /a=lang:(\S+)/.exec(m)?.[1]), sdp).toEqual(['en', 'fr']);
      expect(media[1], sdp).toMatch(/\ni=Version française\r?\n/);
    } finally {
      reader.close();
      pub.close();
    }
  });
});
