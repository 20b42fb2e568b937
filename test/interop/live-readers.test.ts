// Readers of a live path other than ffmpeg: GStreamer rtspsrc over UDP and TCP, and VLC's live555
// request sequence joining mid-stream (GOP cache: RTP-Info names the cached key frame it gets first).
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { parseRtpInfo } from '../../server/rtsp/headers/rtp-info.js';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { parseTransport } from '../../server/rtsp/headers/transport.js';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import type { RtpPacket } from '../../server/rtp/packet.js';
import { seqDiff } from '../../server/rtp/sequence.js';
import { gstRead } from '../helpers/gst-read.js';
import { waitFor } from '../helpers/read.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { RawRtspClient, udpReceiver } from '../helpers/rtsp-client.js';
import { run } from '../helpers/spawn.js';

const PATH = 'live/readers';
let srv: TestServer;
let publisher: ChildProcess;

beforeAll(async () => {
  srv = await startTestServer();
  publisher = spawn(resolveFfmpeg(), ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url(PATH)], { stdio: 'ignore' });
  await waitFor(
    async () => {
      const r = await run(resolveFfprobe(), ['-v', 'quiet', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv', srv.url(PATH)], { timeoutMs: 8000 });
      return r.code === 0 && r.stdout.trim() !== '';
    },
    60_000,
    'the live path to be readable',
  );
});
afterAll(async () => {
  publisher?.kill('SIGKILL');
  await srv?.close();
});

describe('GStreamer rtspsrc reads a live path', () => {
  for (const protocol of ['udp', 'tcp'] as const) {
    it(`over ${protocol}: video and audio decode without errors`, async () => {
      // Until 100 pictures and 3 s of audio are decoded (the GOP cache starts it at a key frame),
      // however long that takes on a loaded machine.
      const d = await gstRead(srv.url(PATH), { protocols: protocol, videoFrames: 100, audioSeconds: 3, deadlineS: 90 });
      const why = `${d.videoFrames} pictures, ${d.audioSeconds} s of audio\n${d.info}`;
      expect(d.errors, why).toEqual([]);
      expect(d.warnings, why).toEqual([]);
      expect(d.stoppedBy, why).toBe('counts');
    }, 150_000);
  }
});

describe("VLC's live555 sequence on a live path", () => {
  for (const transport of ['udp', 'tcp'] as const) {
    it(`over ${transport}: RTP-Info names the first packets, which start at a key frame`, async () => {
      const c = await RawRtspClient.open(srv.rtspPort);
      onTestFinished(() => c.close());
      const ua = { 'User-Agent': 'LibVLC/3.0.20 (LIVE555 Streaming Media v2022.07.14)' };
      const url = srv.url(PATH);
      expect((await c.request('OPTIONS', url, ua)).headers.get('Public')).toMatch(/GET_PARAMETER/);
      const d = await c.request('DESCRIBE', url, { ...ua, Accept: 'application/sdp' });
      expect(d.status).toBe(200);
      expect(new TextDecoder().decode(d.body)).toMatch(/a=range:npt=0-\r\n/); // live: no length
      const base = d.headers.get('Content-Base')!;
      const rx = [await udpReceiver(), await udpReceiver()];
      onTestFinished(() => rx.forEach((r) => r.close()));
      const tr = (i: number): string => (transport === 'udp' ? `RTP/AVP;unicast;client_port=${rx[i]!.rtpPort}-${rx[i]!.rtcpPort}` : `RTP/AVP/TCP;unicast;interleaved=${2 * i}-${2 * i + 1}`);
      const s0 = await c.request('SETUP', `${base}trackID=0`, { ...ua, Transport: tr(0) });
      const id = parseSession(s0.headers.get('Session')!).id;
      const ssrc = parseTransport(s0.headers.get('Transport')!)[0]!.ssrc;
      await c.request('SETUP', `${base}trackID=1`, { ...ua, Transport: tr(1), Session: id });
      const p = await c.request('PLAY', base, { ...ua, Session: id, Range: 'npt=0.000-' });
      expect(p.status).toBe(200);
      const info = parseRtpInfo(p.headers.get('RTP-Info')!);
      expect(info.map((i) => i.url)).toEqual([`${base}trackID=0`, `${base}trackID=1`]);
      const videoOf = (): RtpPacket[] => (transport === 'udp' ? rx[0]!.rtp.map((r) => r.pkt) : c.rtpOn(0));
      const audioOf = (): RtpPacket[] => (transport === 'udp' ? rx[1]!.rtp.map((r) => r.pkt) : c.rtpOn(2));
      // ffmpeg's AAC packetizer aggregates ~17 frames (~0.36 s) per packet: a few audio packets.
      await waitFor(() => videoOf().length > 30 && audioOf().length >= 3, 30_000, '30 video and 3 audio packets');
      expect((await c.request('GET_PARAMETER', base, { ...ua, Session: id })).status).toBe(200);
      const video = videoOf();
      const audio = audioOf();
      for (const v of video) expect(v.ssrc).toBe(ssrc);
      if (transport === 'tcp') {
        // The publisher's packets, forwarded unchanged: seq and timestamp as RTP-Info said.
        expect(video[0]!.sequenceNumber).toBe(info[0]!.seq);
        expect(video[0]!.timestamp).toBe(info[0]!.rtptime);
        expect(audio[0]!.sequenceNumber).toBe(info[1]!.seq);
        // The first video packet begins a key frame: SEI/SPS/IDR alone, in a STAP-A, or an IDR FU-A start.
        const nal = video[0]!.payload[0]! & 0x1f;
        expect([5, 6, 7, 24, 28]).toContain(nal);
        for (let i = 1; i < video.length; i++) expect((video[i]!.sequenceNumber - video[i - 1]!.sequenceNumber) & 0xffff).toBe(1);
      } else {
        // A datagram of the GOP-cache burst may be dropped by a loopback starved of CPU: what
        // arrives is in order, from RTP-Info's seq on, never before it.
        for (let i = 1; i < video.length; i++) expect(seqDiff(video[i]!.sequenceNumber, video[i - 1]!.sequenceNumber)).toBeGreaterThan(0);
        expect(seqDiff(video[0]!.sequenceNumber, info[0]!.seq!)).toBeGreaterThanOrEqual(0);
        expect(seqDiff(audio[0]!.sequenceNumber, info[1]!.seq!)).toBeGreaterThanOrEqual(0);
      }
      expect((await c.request('TEARDOWN', base, { ...ua, Session: id })).status).toBe(200);
    }, 60_000);
  }
});
