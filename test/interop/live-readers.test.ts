// Readers of a live path other than ffmpeg: GStreamer rtspsrc over UDP and TCP, and VLC's live555
// request sequence joining mid-stream (GOP cache: RTP-Info names the cached key frame it gets first).
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRtpInfo } from '../../server/rtsp/headers/rtp-info.js';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { parseTransport } from '../../server/rtsp/headers/transport.js';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { RawRtspClient, sleep, udpReceiver } from '../helpers/rtsp-client.js';
import { describeRun, run } from '../helpers/spawn.js';

const PATH = 'live/readers';
let srv: TestServer;
let publisher: ChildProcess;

beforeAll(async () => {
  srv = await startTestServer();
  publisher = spawn(resolveFfmpeg(), ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url(PATH)], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const r = await run(resolveFfprobe(), ['-v', 'quiet', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv', srv.url(PATH)], { timeoutMs: 8000 });
    if (r.code === 0 && r.stdout.trim()) break;
    await sleep(200);
  }
});
afterAll(async () => {
  publisher?.kill('SIGKILL');
  await srv?.close();
});

const countBuffers = (stdout: string, sink: string): number => (stdout.match(new RegExp(`${sink}: last-message = chain`, 'g')) ?? []).length;

describe('GStreamer rtspsrc reads a live path', () => {
  for (const protocol of ['udp', 'tcp'] as const) {
    it(`over ${protocol}: video and audio decode without errors`, async () => {
      const args = [
        '-e', '-v',
        'rtspsrc', `location=${srv.url(PATH)}`, `protocols=${protocol}`, 'latency=200', 'name=src',
        'src.', '!', 'application/x-rtp,media=video', '!', 'queue', '!', 'decodebin', '!', 'videoconvert', '!', 'fakesink', 'name=vsink', 'sync=false', 'silent=false',
        'src.', '!', 'application/x-rtp,media=audio', '!', 'queue', '!', 'decodebin', '!', 'audioconvert', '!', 'fakesink', 'name=asink', 'sync=false', 'silent=false',
      ];
      const r = await run('gst-launch-1.0', args, { stopAfterMs: 6000, stopSignal: 'SIGINT', timeoutMs: 20_000 });
      const info = describeRun('gst-launch-1.0', args, r);
      expect(r.code, info).toBe(0);
      const problems = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /^(ERROR|WARNING)/.test(l));
      expect(problems, info).toEqual([]);
      // ~5 s of pictures at 30 fps from the moment it joined (the GOP cache starts it at a key frame).
      expect(countBuffers(r.stdout, 'vsink'), info).toBeGreaterThanOrEqual(100);
      expect(countBuffers(r.stdout, 'asink'), info).toBeGreaterThan(50);
    }, 40_000);
  }
});

describe("VLC's live555 sequence on a live path", () => {
  for (const transport of ['udp', 'tcp'] as const) {
    it(`over ${transport}: RTP-Info names the first packets, which start at a key frame`, async () => {
      const c = await RawRtspClient.open(srv.rtspPort);
      const ua = { 'User-Agent': 'LibVLC/3.0.20 (LIVE555 Streaming Media v2022.07.14)' };
      const url = srv.url(PATH);
      expect((await c.request('OPTIONS', url, ua)).headers.get('Public')).toMatch(/GET_PARAMETER/);
      const d = await c.request('DESCRIBE', url, { ...ua, Accept: 'application/sdp' });
      expect(d.status).toBe(200);
      expect(new TextDecoder().decode(d.body)).toMatch(/a=range:npt=0-\r\n/); // live: no length
      const base = d.headers.get('Content-Base')!;
      const rx = [await udpReceiver(), await udpReceiver()];
      const tr = (i: number): string => (transport === 'udp' ? `RTP/AVP;unicast;client_port=${rx[i]!.rtpPort}-${rx[i]!.rtcpPort}` : `RTP/AVP/TCP;unicast;interleaved=${2 * i}-${2 * i + 1}`);
      const s0 = await c.request('SETUP', `${base}trackID=0`, { ...ua, Transport: tr(0) });
      const id = parseSession(s0.headers.get('Session')!).id;
      const ssrc = parseTransport(s0.headers.get('Transport')!)[0]!.ssrc;
      await c.request('SETUP', `${base}trackID=1`, { ...ua, Transport: tr(1), Session: id });
      const p = await c.request('PLAY', base, { ...ua, Session: id, Range: 'npt=0.000-' });
      expect(p.status).toBe(200);
      const info = parseRtpInfo(p.headers.get('RTP-Info')!);
      expect(info.map((i) => i.url)).toEqual([`${base}trackID=0`, `${base}trackID=1`]);
      await sleep(1500);
      expect((await c.request('GET_PARAMETER', base, { ...ua, Session: id })).status).toBe(200);
      const video = transport === 'udp' ? rx[0]!.rtp.map((r) => r.pkt) : c.rtpOn(0);
      const audio = transport === 'udp' ? rx[1]!.rtp.map((r) => r.pkt) : c.rtpOn(2);
      expect(video.length).toBeGreaterThan(30);
      // ffmpeg's AAC packetizer aggregates ~17 frames (~0.36 s) per packet: a few packets in 1.5 s.
      expect(audio.length).toBeGreaterThanOrEqual(3);
      // The publisher's packets, forwarded unchanged: seq and timestamp as RTP-Info said.
      expect(video[0]!.sequenceNumber).toBe(info[0]!.seq);
      expect(video[0]!.timestamp).toBe(info[0]!.rtptime);
      expect(video[0]!.ssrc).toBe(ssrc);
      expect(audio[0]!.sequenceNumber).toBe(info[1]!.seq);
      // The first video packet begins a key frame: SEI/SPS/IDR alone, in a STAP-A, or an IDR FU-A start.
      const nal = video[0]!.payload[0]! & 0x1f;
      expect([5, 6, 7, 24, 28]).toContain(nal);
      for (let i = 1; i < video.length; i++) expect((video[i]!.sequenceNumber - video[i - 1]!.sequenceNumber) & 0xffff).toBe(1);
      expect((await c.request('TEARDOWN', base, { ...ua, Session: id })).status).toBe(200);
      c.close();
      for (const r of rx) r.close();
    }, 30_000);
  }
});
