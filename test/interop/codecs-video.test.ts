// VP8, VP9 and AV1 through Tidecast: ffmpeg publishes VP8/VP9 (its RTP packetizers), our AV1 packetizer
// publishes AV1 (ffmpeg 5.1 and GStreamer 1.22 have none); ffprobe/ffmpeg read back over RTSP and stream.mp4.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { Av1Depacketizer } from '../../server/rtp/codecs/av1.js';
import { keyFrameHint } from '../../server/rtp/keyframe.js';
import { av1TemporalUnits, publishAv1 } from '../helpers/av1-publisher.js';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';
import { bodyText, RawRtspClient } from '../helpers/rtsp-client.js';
import { waitFor, waitLive as waitLiveAt } from '../helpers/read.js';

let srv: TestServer;
let ffmpeg: string;
let ffprobe: string;
let dir: string;
const children: ChildProcess[] = [];
const stops: (() => void)[] = [];

beforeAll(async () => {
  ffmpeg = resolveFfmpeg();
  ffprobe = resolveFfprobe();
  dir = mkdtempSync(join(tmpdir(), 'tidecast-video-'));
  srv = await startTestServer();
});
afterAll(async () => {
  for (const s of stops) s();
  for (const c of children) c.kill('SIGKILL');
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** ffprobe's codec,width,height of the first video stream at `url` (RTSP over `transport`, or HTTP). */
async function probe(url: string, transport?: 'udp' | 'tcp'): Promise<string> {
  const args = ['-v', 'error', ...(transport ? ['-rtsp_transport', transport] : []), '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', url];
  const r = await run(ffprobe, args, { timeoutMs: 30_000 });
  expect(r.code, describeRun(ffprobe, args, r)).toBe(0);
  return r.stdout.trim().split('\n')[0] ?? '';
}

const waitLive = (path: string): Promise<void> => waitLiveAt(srv.url(path), `/${path} to go live`);

/** Decodes 2 s of stream.mp4 with ffmpeg: frames decoded and stderr (empty when every frame decoded). */
async function decodeMp4(path: string): Promise<{ frames: number; info: string; stderr: string }> {
  const args = ['-v', 'error', '-i', srv.httpUrl(`${path}/stream.mp4`), '-t', '2', '-f', 'framecrc', '-'];
  const r = await run(ffmpeg, args, { timeoutMs: 40_000 });
  expect(r.code, describeRun(ffmpeg, args, r)).toBe(0);
  return { frames: r.stdout.split('\n').filter((l) => /^0,/.test(l)).length, info: describeRun(ffmpeg, args, r), stderr: r.stderr };
}

/** Our RTSP reader: DESCRIBE, SETUP of track 0 interleaved on channels 0-1, PLAY. */
async function playTcp(path: string): Promise<{ c: RawRtspClient; sdp: string }> {
  const c = await RawRtspClient.open(srv.rtspPort);
  const d = await c.request('DESCRIBE', srv.url(path), { Accept: 'application/sdp' });
  expect(d.status, bodyText(d)).toBe(200);
  const s = await c.request('SETUP', `${srv.url(path)}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
  const session = parseSession(s.headers.get('Session')!).id;
  const p = await c.request('PLAY', srv.url(path), { Session: session });
  expect(p.status).toBe(200);
  return { c, sdp: bodyText(d) };
}

describe('ffmpeg publishes VP8 and VP9', () => {
  for (const codec of ['vp8', 'vp9'] as const) {
    it(`${codec}: ffprobe reads it over UDP and TCP, stream.mp4 decodes`, async () => {
      const path = `live/${codec}`;
      // ffmpeg 5.1 calls its VP9 packetizer experimental (written to a draft of RFC 9628).
      const strict = codec === 'vp9' ? ['-strict', 'experimental'] : [];
      const child = spawn(ffmpeg, ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample-${codec}.webm`, '-c', 'copy', ...strict, '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url(path)], { stdio: 'ignore' });
      children.push(child);
      await waitLive(path);
      expect(await probe(srv.url(path), 'udp')).toBe(`${codec},320,180`);
      expect(await probe(srv.url(path), 'tcp')).toBe(`${codec},320,180`);
      const mp4 = await decodeMp4(path);
      expect(mp4.stderr, mp4.info).toBe('');
      expect(mp4.frames, mp4.info).toBeGreaterThanOrEqual(20);
      expect(await probe(srv.httpUrl(`${path}/stream.mp4`))).toBe(`${codec},320,180`);
      // The GOP cache: a reader joining mid-stream gets a key frame's first packet first (key-frame hints).
      const { c } = await playTcp(path);
      try {
        await waitFor(() => c.rtpOn(0).length > 0, 20_000, 'the first RTP packet');
        expect(keyFrameHint(codec === 'vp8' ? 'VP8' : 'VP9', c.rtpOn(0)[0]!.payload)).toBe('key');
      } finally {
        c.close();
      }
      child.kill('SIGINT');
    }, 120_000);
  }
});

describe('GStreamer publishes VP8 and VP9 (vp8enc/vp9enc, rtspclientsink over UDP: rtpvp8pay/rtpvp9pay)', () => {
  for (const codec of ['vp8', 'vp9'] as const) {
    it(`${codec}: ffprobe reads it over TCP, stream.mp4 decodes`, async () => {
      const path = `live/gst-${codec}`;
      // The profile caps: without them rtspclientsink's caps query makes vpxenc fail with "Invalid vpx profile".
      const pipeline = `videotestsrc is-live=true ! video/x-raw,format=I420,width=320,height=180,framerate=15/1 ! ${codec}enc deadline=1 cpu-used=8 keyframe-max-dist=15 ! video/x-${codec},profile=(string)0 ! rtspclientsink protocols=udp location=${srv.url(path)}`;
      const child = spawn('gst-launch-1.0', ['-q', ...pipeline.split(' ')], { stdio: 'ignore' });
      children.push(child);
      await waitLive(path);
      expect(await probe(srv.url(path), 'tcp')).toBe(`${codec},320,180`);
      const mp4 = await decodeMp4(path);
      expect(mp4.stderr, mp4.info).toBe('');
      expect(mp4.frames, mp4.info).toBeGreaterThanOrEqual(20);
      child.kill('SIGINT');
    }, 120_000);
  }
});

describe('the clips as files', () => {
  it('sample-vp9.webm over RTSP UDP, sample-av1.mp4 over HLS (fMP4 parts) decode', async () => {
    expect(await probe(srv.url('sample-vp9.webm'), 'udp')).toBe('vp9,320,180');
    const args = ['-v', 'error', '-i', srv.httpUrl('sample-av1.mp4/index.m3u8'), '-f', 'framecrc', '-'];
    const r = await run(ffmpeg, args, { timeoutMs: 40_000 });
    expect(r.stderr, describeRun(ffmpeg, args, r)).toBe('');
    expect(r.stdout.split('\n').filter((l) => /^0,/.test(l)).length).toBe(45);
  }, 60_000);
});

describe('AV1 published with our packetizer (no AV1 RTP in ffmpeg 5.1 nor GStreamer 1.22)', () => {
  it('stream.mp4 decodes in ffmpeg (libdav1d); an RTSP reader gets OBUs ffmpeg decodes', async () => {
    const clip = await av1TemporalUnits();
    expect(clip.length).toBe(45);
    const path = 'live/av1';
    const pub = await publishAv1(srv.rtspPort, srv.url(path), clip);
    stops.push(pub.stop);
    // RECORD answered: the path is live. ffprobe cannot read AV1 over RTP (ffmpeg 5.1: "Unsupported
    // codec av1" in its RTP muxer, no depacketizer either): the HTTP fMP4 and our reader are the checks.
    const mp4 = await decodeMp4(path);
    expect(mp4.stderr, mp4.info).toBe('');
    expect(mp4.frames, mp4.info).toBeGreaterThanOrEqual(20);
    expect(await probe(srv.httpUrl(`${path}/stream.mp4`))).toBe('av1,320,180');

    // Our RTSP reader: the packets back, depacketized, written as a low-overhead OBU stream.
    const { c, sdp } = await playTcp(path);
    try {
      expect(sdp).toMatch(/a=rtpmap:\d+ AV1\/90000\r\n/); // the publisher's rtpmap, and no fmtp, as it sent none
      await waitFor(() => c.rtpOn(0).length > 0, 20_000, 'the first RTP packet');
      expect(keyFrameHint('AV1', c.rtpOn(0)[0]!.payload)).toBe('key'); // the GOP cache starts at a key frame
      const depack = new Av1Depacketizer();
      const units: Uint8Array[] = [];
      let damaged = 0;
      let read = 0;
      let tus = 0;
      await waitFor(() => {
        for (const pkt of c.rtpOn(0, read)) {
          for (const f of depack.push(pkt)) {
            if (f.damaged) damaged++;
            else {
              tus++;
              units.push(new Uint8Array([0x12, 0x00]), ...f.data); // a temporal delimiter before each unit (§7.5)
            }
          }
        }
        read = c.frames.length;
        return tus >= 30;
      }, 30_000, '30 temporal units over RTSP');
      expect(damaged).toBe(0);
      const file = join(dir, 'read.obu');
      writeFileSync(file, Buffer.concat(units));
      const args = ['-v', 'error', '-f', 'obu', '-i', file, '-f', 'framecrc', '-'];
      const r = await run(ffmpeg, args, { timeoutMs: 20_000 });
      expect(r.code, describeRun(ffmpeg, args, r)).toBe(0);
      expect(r.stderr, describeRun(ffmpeg, args, r)).toBe('');
      expect(r.stdout.split('\n').filter((l) => /^0,/.test(l)).length).toBeGreaterThanOrEqual(30);
    } finally {
      c.close();
      pub.stop();
    }
  }, 120_000);
});
