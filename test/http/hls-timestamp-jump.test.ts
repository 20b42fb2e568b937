// A publisher whose RTP time leaps 2e9 ticks (6 hours) mid-stream, from a hand-made RTSP/RTP publisher on a raw socket: LL-HLS keeps every EXTINF near the GOP (it advertised EXTINF:22378).
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessUnit } from '../../server/media/access-unit.js';
import type { Track } from '../../server/media/track.js';
import { packetizeH264 } from '../../server/rtp/codecs/h264.js';
import { buildRtpPacket } from '../../server/rtp/packet.js';
import { encodeInterleaved } from '../../server/rtsp/message.js';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { buildSdp } from '../../server/sdp/describe.js';
import { loadMediaFile } from '../../server/sources/file/demux.js';
import { Bystander } from '../helpers/bystander.js';
import { checkPlaylist, parsePlaylist, PlaylistHistory, type ParsedPlaylist } from '../helpers/playlist-check.js';
import { waitFor } from '../helpers/read.js';
import { RawRtspClient, bodyText, sleep } from '../helpers/rtsp-client.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';

/** The leap: about 2^31 ticks, 6.2 hours at 90 kHz (the report's EXTINF:22378 was one like it). */
const JUMP = 2_000_000_000;
/** The sample's GOP is 2 s: a segment is one GOP, so no EXTINF should be far from that. */
const MAX_EXTINF = 3;

let srv: TestServer;
let bystander: Bystander;
let video: Track;
let units: AccessUnit[];
beforeAll(async () => {
  srv = await startTestServer({ hlsSegmentCount: 10 });
  bystander = await Bystander.start(srv.rtspPort);
  const file = await loadMediaFile(`${MEDIA_DIR}/sample.mp4`);
  video = file.tracks.find((t) => t.kind === 'video')!;
  units = file.units[video.id]!;
});
afterAll(async () => {
  bystander?.close();
  await srv?.close();
});

/** ANNOUNCE, SETUP (interleaved 0-1, record) and RECORD of the sample's video; returns the socket to write RTP on. */
async function publish(path: string): Promise<{ client: RawRtspClient; socket: Socket }> {
  const client = await RawRtspClient.open(srv.rtspPort);
  const sdp = buildSdp({ tracks: [video], sessionName: 'jumpy', serverAddress: '127.0.0.1' });
  const a = await client.request('ANNOUNCE', srv.url(path), { 'Content-Type': 'application/sdp' }, sdp);
  expect(a.status, bodyText(a)).toBe(200);
  const s = await client.request('SETUP', `${srv.url(path)}/trackID=${video.id}`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1;mode=record' });
  expect(s.status, bodyText(s)).toBe(200);
  const id = parseSession(s.headers.get('Session')!).id;
  expect((await client.request('RECORD', srv.url(path), { Session: id })).status).toBe(200);
  return { client, socket: client.socket };
}

describe('a jump in the publisher timeline', () => {
  // RTP time from the frames' decode times (a publisher without B-frames: the report's case, where
  // the segment across the jump was listed as EXTINF:22222), or from their presentation times
  // (with B-frames: the muxer used to stall on that segment for good).
  it.each(['dts', 'pts'] as const)('never makes a huge EXTINF (RTP time from %s): every segment stays near one GOP, across the jump too', async (time) => {
    const PATH = `live/jumpy-${time}`;
    const { client, socket } = await publish(PATH);
    const history = new PlaylistHistory();
    const playlists: ParsedPlaylist[] = [];
    let polling = true;
    // A player reloading the playlist throughout (it also starts the path's HLS muxer).
    const poll = (async () => {
      while (polling) {
        const r = await fetch(srv.httpUrl(`${PATH}/index.m3u8`)).catch(() => undefined);
        if (r?.ok) {
          const p = parsePlaylist(await r.text());
          history.add(p);
          playlists.push(p);
        }
        await sleep(100);
      }
    })();
    let seq = 0;
    const base = 12345;
    // Twice real time: 20 s of media, the second half 2e9 ticks later than the first.
    const t0 = performance.now();
    // Two frames before a key frame half-way through: the server's decode times (two frames behind)
    // then leap exactly at that key frame, where a segment is cut.
    const key = units.findIndex((u, i) => i >= units.length / 2 && u.key);
    for (let i = 0; i < units.length; i++) {
      const u = units[i]!;
      const jumped = i >= key - 2 ? JUMP : 0;
      const payloads = packetizeH264(u.data, 1400);
      payloads.forEach((p, k) => {
        const pkt = buildRtpPacket({ payloadType: video.payloadType, marker: k === payloads.length - 1, sequenceNumber: seq++ & 0xffff, timestamp: (base + u[time] + jumped) >>> 0, ssrc: 0x5eed }, p);
        socket.write(encodeInterleaved(0, pkt));
      });
      const due = (u.dts / video.clockRate) * 500;
      const wait = t0 + due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    // Segments after the jump are listed before the player stops.
    const huge = (): boolean => playlists.some((p) => p.segments.some((s) => s.duration > MAX_EXTINF));
    await waitFor(() => (playlists.at(-1)?.segments.length ?? 0) >= 8 || huge(), 60_000, 'segments from both sides of the jump');
    polling = false;
    await poll;
    client.close();
    const last = playlists.at(-1)!;
    expect(checkPlaylist(last, { kind: 'live' })).toEqual([]);
    expect(history.problems).toEqual([]);
    for (const p of playlists) {
      expect(p.targetDuration).toBeLessThanOrEqual(MAX_EXTINF);
      for (const s of p.segments) expect(s.duration, `segment ${s.msn}`).toBeLessThanOrEqual(MAX_EXTINF);
    }
    // The jump is rebased, not dropped: as much media is listed as was sent in that time.
    const listed = last.segments.reduce((n, s) => n + s.duration, 0);
    expect(listed).toBeGreaterThan(8 * 1.5);
    await bystander.stillServed();
  }, 120_000);
});
