// RTSP playback of a recording by wall-clock time: ffmpeg publishes 9 s to a recording path (3 s segments); a raw RTSP
// client over TCP interleaved PLAYs with Range: clock= inside the 2nd segment (RTP-Info, the first packet and the clock
// answer within one GOP), plays across the cut and across memory windows (recordPlaybackMaxBytes about one GOP), pauses
// and resumes, seeks, asks Scale 2 and -1 (key frames only);
// ffmpeg decodes `?start=<RFC 3339>`; a user without `playback` is refused recordings but still reads live.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatClockRange, parseClockRange } from '../../server/rtsp/headers/range-clock.js';
import { parseRtpInfo } from '../../server/rtsp/headers/rtp-info.js';
import type { RtpPacket } from '../../server/rtp/packet.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { captureLog, type LogCapture } from '../helpers/log-capture.js';
import { waitFor } from '../helpers/read.js';
import { bodyText, RawRtspClient } from '../helpers/rtsp-client.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

/** sample.mp4 has a key frame every 2 s at 30 fps (90 kHz video clock). */
const GOP_MS = 2000;
const FRAME_TICKS = 3000;
const ADMIN = Buffer.from('admin:secret').toString('base64');
const VIEWER = Buffer.from('viewer:pass').toString('base64');

let dir: string;
let srv: TestServer;
let segments: { start: string; duration: number }[];
let live: ChildProcess | undefined;
let log: LogCapture;
const clients: RawRtspClient[] = [];

function publish(input: string, loop: boolean): ChildProcess {
  const url = srv.url('cam').replace('rtsp://', 'rtsp://admin:secret@');
  const args = ['-v', 'error', '-re', ...(loop ? ['-stream_loop', '-1'] : []), '-i', input, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', url];
  return spawn(resolveFfmpeg(), args, { stdio: ['ignore', 'ignore', 'ignore'] });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidecast-pbrtsp-'));
  const clip = join(dir, 'clip.mp4');
  const cut = await run(resolveFfmpeg(), ['-v', 'error', '-i', `${MEDIA_DIR}/sample.mp4`, '-t', '9', '-c', 'copy', clip], { timeoutMs: 30_000 });
  expect(cut.code).toBe(0);
  log = captureLog('debug');
  srv = await startTestServer({
    recordPath: `${dir}/rec/%path/%Y-%m-%d_%H-%M-%S-%f`,
    recordSegmentDuration: '3s',
    recordPartDuration: '500ms',
    paths: { cam: { record: true } },
    // About one GOP per window: playing 4 s crosses windows as well as segments.
    recordPlaybackMaxBytes: 200_000,
    authUsers: [
      { user: 'admin', pass: 'secret', permissions: [{ action: 'read' }, { action: 'publish' }, { action: 'playback' }, { action: 'api' }] },
      { user: 'viewer', pass: 'pass', permissions: [{ action: 'read' }] },
    ],
    authMethods: ['basic'],
  }, { log: log.logger });
  const pub = publish(clip, false);
  const code = await new Promise<number | null>((res) => pub.on('exit', res));
  expect(code).toBe(0);
  const recording = (): boolean => srv.paths.clients.list().some((c) => c.protocol === 'recording' && c.path === 'cam');
  await waitFor(() => !recording(), 20_000, 'the recorder to close its last segment');
  const r = await fetch(srv.httpUrl('api/v1/recordings/cam'), { headers: { Authorization: `Basic ${ADMIN}` } });
  segments = ((await r.json()) as { segments: { start: string; duration: number }[] }).segments;
  expect(segments.length).toBeGreaterThanOrEqual(3);
  // The path goes on live (a new span, later than every time asked below): sessions DESCRIBE it live.
  live = publish(`${MEDIA_DIR}/sample.mp4`, true);
  await waitFor(() => srv.paths.livePath('cam').stream !== undefined, 20_000, 'the live publisher');
}, 60_000);

afterAll(async () => {
  live?.kill('SIGKILL');
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

const segStart = (i: number): number => Date.parse(segments[i]!.start);

/** A raw client that DESCRIBEd cam live and set up video (0-1) and audio (2-3) interleaved. */
async function liveSession(auth = ADMIN): Promise<{ c: RawRtspClient; session: string; url: string }> {
  const c = await RawRtspClient.open(srv.rtspPort);
  clients.push(c);
  const url = srv.url('cam');
  const h = { Authorization: `Basic ${auth}` };
  const d = await c.request('DESCRIBE', url, h);
  expect(d.status).toBe(200);
  const s0 = await c.request('SETUP', `${url}/trackID=0`, { ...h, Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
  expect(s0.status).toBe(200);
  const session = s0.headers.get('Session')!.split(';')[0]!;
  const s1 = await c.request('SETUP', `${url}/trackID=1`, { ...h, Session: session, Transport: 'RTP/AVP/TCP;unicast;interleaved=2-3' });
  expect(s1.status).toBe(200);
  return { c, session, url };
}

/** H.264 NAL unit types a packet carries (single NAL, STAP-A, FU-A start). */
function nalTypes(p: RtpPacket): number[] {
  const t = p.payload[0]! & 0x1f;
  if (t === 28) return p.payload[1]! & 0x80 ? [p.payload[1]! & 0x1f] : [];
  if (t !== 24) return [t];
  const out: number[] = [];
  for (let i = 1; i + 2 < p.payload.length; ) {
    const n = (p.payload[i]! << 8) | p.payload[i + 1]!;
    out.push(p.payload[i + 2]! & 0x1f);
    i += 2 + n;
  }
  return out;
}

/** Video frames (by RTP timestamp, in arrival order) among packets on channel 0 after response index `from`. */
function frames(c: RawRtspClient, from: number): { ts: number; key: boolean }[] {
  const out: { ts: number; key: boolean }[] = [];
  for (const p of c.rtpOn(0, from)) {
    const last = out[out.length - 1];
    const key = nalTypes(p).includes(5);
    if (last && last.ts === p.timestamp) last.key ||= key;
    else out.push({ ts: p.timestamp, key });
  }
  return out;
}

async function play(c: RawRtspClient, url: string, session: string, headers: Record<string, string>) {
  const r = await c.request('PLAY', `${url}/`, { Authorization: `Basic ${ADMIN}`, Session: session, ...headers });
  expect(r.status, r.headers.get('Range') ?? '').toBe(200);
  const info = parseRtpInfo(r.headers.get('RTP-Info')!);
  return { r, from: c.framesBefore(r), video: info.find((i) => i.url.endsWith('trackID=0'))! };
}

describe('RTSP playback by wall-clock time', () => {
  it('PLAY with Range: clock= inside the 2nd segment turns a live session to the recording, starts within one GOP, and plays across the cut', async () => {
    const { c, session, url } = await liveSession();
    const asked = segStart(1) + 1000;
    const { r, from, video } = await play(c, url, session, { Range: formatClockRange({ unit: 'clock', start: asked }) });
    const range = parseClockRange(r.headers.get('Range')!);
    // The first frame's wall clock (the clock answer): the key frame at or before the asked instant.
    expect(range.start).toBeLessThanOrEqual(asked);
    expect(asked - range.start).toBeLessThan(GOP_MS + 50);
    const cut = segStart(2) - range.start;
    await waitFor(() => frames(c, from).length > ((cut + 1000) / 1000) * 30, 20_000, 'frames past the cut into the 3rd segment');
    const first = c.rtpOn(0, from)[0]!;
    expect(first.sequenceNumber).toBe(video.seq);
    expect(first.timestamp).toBe(video.rtptime);
    const f = frames(c, from);
    expect(f[0]!.key).toBe(true);
    // Every frame once, one frame apart, across the cut (presentation order: B-frames arrive out of order).
    const all = f.map((x) => (x.ts - video.rtptime!) >>> 0).sort((a, b) => a - b);
    expect(new Set(all).size).toBe(all.length);
    // The newest frames may still wait for a B-frame sent after them: judge those a few frames older.
    const ts = all.filter((t) => t <= all[all.length - 1]! - 5 * FRAME_TICKS);
    const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
    expect(gaps.filter((g) => g !== FRAME_TICKS)).toEqual([]);
    expect(ts[ts.length - 1]!).toBeGreaterThan((cut / 1000) * 90_000);
    // recordPlaybackMaxBytes held about a GOP: the frames above came from several windows, joined without a gap.
    expect(log.lines.filter((l) => l.session === session && String(l.msg).includes('plays on into the next window')).length).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('PAUSE then PLAY resumes where it stopped; a new clock= range seeks', async () => {
    const { c, session, url } = await liveSession();
    const p1 = await play(c, url, session, { Range: formatClockRange({ unit: 'clock', start: segStart(0) + 500 }) });
    await waitFor(() => frames(c, p1.from).length >= 20, 20_000, 'frames before the pause');
    const pause = await c.request('PAUSE', `${url}/`, { Authorization: `Basic ${ADMIN}`, Session: session });
    expect(pause.status).toBe(200);
    const pausedAt = parseClockRange(pause.headers.get('Range')!).start;
    const before = c.rtpOn(0, p1.from, c.framesBefore(pause));
    const lastSeq = before[before.length - 1]!.sequenceNumber;
    const p2 = await play(c, url, session, {});
    const resumed = parseClockRange(p2.r.headers.get('Range')!).start;
    expect(Math.abs(resumed - pausedAt)).toBeLessThan(100);
    await waitFor(() => c.rtpOn(0, p2.from).length > 0, 10_000, 'packets after the resume');
    expect(c.rtpOn(0, p2.from)[0]!.sequenceNumber).toBe(p2.video.seq);
    expect(p2.video.seq).toBe((lastSeq + 1) & 0xffff);
    // Seek: a new clock= range into the 3rd segment.
    const asked = segStart(2) + 300;
    const p3 = await play(c, url, session, { Range: formatClockRange({ unit: 'clock', start: asked }) });
    const at = parseClockRange(p3.r.headers.get('Range')!).start;
    expect(at).toBeLessThanOrEqual(asked);
    expect(asked - at).toBeLessThan(GOP_MS + 50);
    await waitFor(() => frames(c, p3.from).length > 0, 10_000, 'frames after the seek');
    expect(frames(c, p3.from)[0]!.key).toBe(true);
    expect(c.rtpOn(0, p3.from)[0]!.timestamp).toBe(p3.video.rtptime);
  }, 40_000);

  it('Scale 2 and Scale -1 send key frames only, and say the Scale applied', async () => {
    const { c, session, url } = await liveSession();
    const fwd = await play(c, url, session, { Range: formatClockRange({ unit: 'clock', start: segStart(0) }), Scale: '2' });
    expect(fwd.r.headers.get('Scale')).toBe('2.0');
    await waitFor(() => frames(c, fwd.from).length >= 3, 20_000, 'three frames at Scale 2');
    const f = frames(c, fwd.from);
    expect(f.every((x) => x.key)).toBe(true);
    // Key frames 2 s apart in the recording are 1 s apart at Scale 2.
    expect((f[1]!.ts - f[0]!.ts) >>> 0).toBe((90 * GOP_MS) / 2);
    expect(c.rtpOn(2, fwd.from)).toEqual([]);
    const end = segStart(segments.length - 1) + segments[segments.length - 1]!.duration * 1000;
    const rev = await play(c, url, session, { Range: formatClockRange({ unit: 'clock', start: end - 100 }), Scale: '-1' });
    expect(rev.r.headers.get('Scale')).toBe('-1.0');
    await waitFor(() => frames(c, rev.from).length >= 2, 20_000, 'two frames in reverse');
    const rf = frames(c, rev.from);
    expect(rf.every((x) => x.key)).toBe(true);
    // Timestamps still run forward in the order sent (the view is a stream of its own).
    expect((rf[1]!.ts - rf[0]!.ts) >>> 0).toBe(90 * GOP_MS);
    // Paused in reverse, it stopped earlier in the recording than it started; resuming goes on from there.
    const pause = await c.request('PAUSE', `${url}/`, { Authorization: `Basic ${ADMIN}`, Session: session });
    const pausedAt = parseClockRange(pause.headers.get('Range')!).start;
    expect(pausedAt).toBeLessThan(parseClockRange(rev.r.headers.get('Range')!).start);
    const again = await play(c, url, session, { Scale: '-1' });
    expect(Math.abs(parseClockRange(again.r.headers.get('Range')!).start - pausedAt)).toBeLessThan(100);
  }, 40_000);

  it('ffmpeg plays rtsp://…/cam?start=<RFC 3339> and decodes frames without errors', async () => {
    const url = `${srv.url('cam').replace('rtsp://', 'rtsp://admin:secret@')}?start=${new Date(segStart(1) + 500).toISOString()}`;
    const args = ['-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-frames:v', '60', '-f', 'null', '-'];
    const r = await run(resolveFfmpeg(), args, { timeoutMs: 30_000 });
    expect(r.code, describeRun('ffmpeg', args, r)).toBe(0);
    expect(r.stderr.trim(), describeRun('ffmpeg', args, r)).toBe('');
  }, 40_000);

  it('DESCRIBE with ?start= gives the recorded tracks, the same as the live ones, with the recording\'s length', async () => {
    const c = await RawRtspClient.open(srv.rtspPort);
    clients.push(c);
    const h = { Authorization: `Basic ${ADMIN}` };
    const liveSdp = bodyText(await c.request('DESCRIBE', srv.url('cam'), h));
    const rec = await c.request('DESCRIBE', `${srv.url('cam')}?start=${new Date(segStart(0)).toISOString()}`, h);
    expect(rec.status).toBe(200);
    const recSdp = bodyText(rec);
    const media = (sdp: string): string[] => sdp.split(/\r?\n/).filter((l) => /^(m=|a=rtpmap|a=fmtp)/.test(l));
    expect(media(recSdp)).toEqual(media(liveSdp));
    expect(liveSdp).toContain('a=range:npt=0-\r\n');
    const length = Number(/a=range:npt=0-([\d.]+)/.exec(recSdp)?.[1]);
    // Windows hold about a GOP here (recordPlaybackMaxBytes): the length is that of the first one.
    expect(length).toBeGreaterThan(1);
    expect(length).toBeLessThanOrEqual(segments.reduce((n, x) => n + x.duration, 0) + 0.1);
  }, 20_000);

  it('a user without `playback` is refused the recording (403) but reads live', async () => {
    const { c, session, url } = await liveSession(VIEWER);
    const refused = await c.request('PLAY', `${url}/`, { Authorization: `Basic ${VIEWER}`, Session: session, Range: formatClockRange({ unit: 'clock', start: segStart(0) }) });
    expect(refused.status).toBe(403);
    const d = await c.request('DESCRIBE', `${url}?start=${new Date(segStart(0)).toISOString()}`, { Authorization: `Basic ${VIEWER}` });
    expect(d.status).toBe(403);
    const ok = await c.request('PLAY', `${url}/`, { Authorization: `Basic ${VIEWER}`, Session: session });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('Range')).toBe('npt=0.000-');
    await waitFor(() => c.rtpOn(0, c.framesBefore(ok)).length > 0, 10_000, 'live packets');
  }, 30_000);
});
