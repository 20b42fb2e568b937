// GStreamer rtspsrc against Tidecast over UDP and TCP: video and audio decode with no errors at the real frame rate, and lip sync settles early.
import { spawnSync } from 'node:child_process';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { run, describeRun } from '../helpers/spawn.js';

const GST = 'gst-launch-1.0';
/**
 * How long the pipeline plays before SIGINT; gst-launch -e then drains to EOS. 9 s leaves room for a
 * slow start on a loaded machine: the lip-sync check needs decoded video past the 5 s SR.
 */
const PLAY_MS = 9000;

let srv: TestServer;
beforeAll(async () => {
  const v = spawnSync(GST, ['--version'], { encoding: 'utf8' });
  if (v.status !== 0) throw new Error(`${GST} not found (apt-get install gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-libav)`);
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

interface Buf {
  pts: number;
  duration: number;
  bytes: number;
}

const clock = (s: string): number => {
  const [h, m, sec] = s.split(':');
  return Number(h) * 3600 + Number(m) * 60 + Number(sec);
};

/** fakesink silent=false under -v prints one `last-message = chain ... (N bytes, dts: …, pts: H:MM:SS.nnn, duration: …)` per buffer. */
function buffersOf(stdout: string, sink: string): Buf[] {
  const re = new RegExp(`${sink}: last-message = chain[^(]*\\(\\S+\\) \\((\\d+) bytes, dts: [^,]+, pts: ([\\d:.]+), duration: ([\\d:.]+|none)`, 'g');
  const out: Buf[] = [];
  for (const m of stdout.matchAll(re)) {
    out.push({ bytes: Number(m[1]), pts: clock(m[2]!), duration: m[3] === 'none' ? NaN : clock(m[3]!) });
  }
  return out;
}

interface Played {
  label: string;
  info: string;
  stdout: string;
  video: Buf[];
  audio: Buf[];
  timedOut: boolean;
  code: number | null;
  stderr: string;
}

async function play(file: string, protocol: 'udp' | 'tcp'): Promise<Played> {
  // Caps filters on the two src. links make gst-launch give the video pad to the video branch
  // and the audio pad to the audio one. latency=200 keeps the jitter buffer from eating the run.
  const args = [
    '-e', '-v',
    'rtspsrc', `location=${srv.url(file)}`, `protocols=${protocol}`, 'latency=200', 'name=src',
    'src.', '!', 'application/x-rtp,media=video', '!', 'queue', '!', 'decodebin', '!', 'videoconvert', '!',
    'fakesink', 'name=vsink', 'sync=false', 'silent=false',
    'src.', '!', 'application/x-rtp,media=audio', '!', 'queue', '!', 'decodebin', '!', 'audioconvert', '!',
    'fakesink', 'name=asink', 'sync=false', 'silent=false',
  ];
  // After SIGINT, gst-launch -e drains to EOS and rtspsrc sends TEARDOWN; on a machine busy with the
  // rest of the suite that has taken over 10 s, so it gets 20 s before it counts as hung.
  const r = await run(GST, args, { stopAfterMs: PLAY_MS, stopSignal: 'SIGINT', timeoutMs: PLAY_MS + 20_000 });
  return {
    label: `${file} ${protocol}`,
    info: describeRun(GST, args, r),
    stdout: r.stdout,
    stderr: r.stderr,
    timedOut: r.timedOut,
    code: r.code,
    video: buffersOf(r.stdout, 'vsink'),
    audio: buffersOf(r.stdout, 'asink'),
  };
}

function expectCleanDecode(p: Played): void {
  const { label, info, video, audio } = p;
  expect(p.timedOut, `${label}: gst-launch did not stop on SIGINT\n${info}`).toBe(false);
  expect(p.code, info).toBe(0);
  // gst-launch prints element errors and warnings as "ERROR: from element …" / "WARNING: from element …".
  const problems = (p.stdout + '\n' + p.stderr).split('\n').filter((l) => /\b(ERROR|WARNING)\b/.test(l) && !/last-message/.test(l));
  expect(problems, `${label}: errors/warnings\n${info}`).toEqual([]);
  expect(p.stdout, info).toMatch(/Got EOS from element/);
  const videoSpan = video.length > 1 ? video[video.length - 1]!.pts - video[0]!.pts : 0;
  // ~8 s of the 9 s is playing (connect + jitter buffer take the rest): 30 fps gives ~240.
  expect(video.length, `${label}: decoded video frames\n${info}`).toBeGreaterThanOrEqual(120);
  // Frames decoded = frames in the media time received: none dropped (rtspsrc drops video when
  // RTP-Info seq is wrong: a GOP and more) and none twice. Neither clock gst-launch shows is exact:
  // rtspsrc stamps video from its arrival, so a gst-launch that reads late on a busy machine gets
  // bursts with squeezed pts (32.6-39.8 "fps" over the pts span in full-suite runs), and the decoded
  // audio starts and ends a few hundred ms apart from the video. So the drop check takes the longer
  // of the two spans and the duplicate check the shorter one; a lost GOP (~25 fps) or every frame
  // twice (~60 fps) is still far outside.
  const audioSeconds = audio.reduce((s, b) => s + b.duration, 0);
  expect(audio.length, `${label}: decoded audio buffers`).toBeGreaterThan(50);
  expect(audioSeconds, `${label}: decoded audio seconds in a ${PLAY_MS / 1000} s run`).toBeGreaterThan(5);
  const why = `${label}: ${video.length} video frames, video pts span ${videoSpan.toFixed(2)} s, decoded audio ${audioSeconds.toFixed(2)} s`;
  const low = video.length / Math.max(videoSpan, audioSeconds);
  const high = video.length / Math.min(videoSpan, audioSeconds);
  console.log(`${why}: ${low.toFixed(2)}-${high.toFixed(2)} fps`);
  expect(low, why).toBeGreaterThan(27);
  expect(high, why).toBeLessThan(45);
}

/** rtpbin lip-sync corrections of more than 20 ms, with the video pts decoded when each was made. */
function lipSyncCorrections(stdout: string): { jitterbuffer: string; ms: number; atVideoPts: number }[] {
  const out: { jitterbuffer: string; ms: number; atVideoPts: number }[] = [];
  const last = new Map<string, number>();
  let videoPts = 0;
  for (const line of stdout.split('\n')) {
    const v = /vsink: last-message = chain.*?pts: ([\d:.]+)/.exec(line);
    if (v) videoPts = clock(v[1]!);
    const o = /(rtpjitterbuffer\d+): ts-offset = (-?\d+)/.exec(line);
    if (o) {
      const ms = Number(o[2]) / 1e6;
      if (Math.abs(ms - (last.get(o[1]!) ?? 0)) > 20) out.push({ jitterbuffer: o[1]!, ms, atVideoPts: videoPts });
      last.set(o[1]!, ms);
    }
  }
  return out;
}

/**
 * rtpbin aligns the tracks (jitter buffer `ts-offset`) only from an RTCP SR that arrives after its
 * jitter buffer has started output (gst_rtp_jitter_buffer_get_sync has no base before). Video sent in
 * decode order arrives ahead of its pts (~100 ms with this file's B-frames), so until such an SR video
 * plays ahead of audio. RFC 3550 §6.2 puts the first report at half the 5 s minimum interval: by ~2.5 s
 * lip sync must be settled, not 5 s later with a jump in the picture.
 */
function expectEarlyLipSync(p: Played): void {
  // The run must reach past the server's 5 s SR, or a late correction would go unseen.
  const lastPts = p.video.length ? p.video[p.video.length - 1]!.pts : 0;
  expect(lastPts, `${p.label}: decoded video reached pts ${lastPts.toFixed(2)} s only; too short to judge lip sync`).toBeGreaterThan(5.5);
  const late = lipSyncCorrections(p.stdout).filter((c) => c.atVideoPts >= 3);
  expect(
    late,
    `${p.label}: rtpbin corrected A/V sync after 3 s of playback (video pts at the correction), i.e. no usable RTCP SR came earlier`,
  ).toEqual([]);
}

const CASES: [string, 'udp' | 'tcp'][] = [
  ['sample.mp4', 'udp'],
  ['sample.mp4', 'tcp'],
  ['sample.mkv', 'udp'],
  ['sample.mkv', 'tcp'],
  ['sample.ts', 'tcp'],
];
const runs = new Map<string, Promise<Played>>();
/** Each pipeline runs once; both checks below read the same run. */
function played(file: string, protocol: 'udp' | 'tcp'): Promise<Played> {
  const key = `${file} ${protocol}`;
  let p = runs.get(key);
  if (!p) runs.set(key, (p = play(file, protocol)));
  return p;
}

describe('gst-launch rtspsrc ! decodebin', () => {
  // Start every pipeline at once: they are paced by the server, not by CPU.
  beforeAll(() => {
    for (const [f, t] of CASES) void played(f, t).catch(() => undefined);
  });
  // A failed check forgets its run, so vitest's retry plays the pipeline again instead of reading
  // the same output twice.
  const check = async (file: string, protocol: 'udp' | 'tcp', expectFn: (p: Played) => void): Promise<void> => {
    try {
      expectFn(await played(file, protocol));
    } catch (e) {
      runs.delete(`${file} ${protocol}`);
      throw e;
    }
  };
  it.concurrent.each(CASES)('%s over %s: video + audio decode ~9 s without errors at 30 fps', async (file, protocol) => {
    await check(file, protocol, expectCleanDecode);
  });
  it.concurrent.each(CASES)('%s over %s: lip sync settled within 3 s (an RTCP SR rtpbin can use)', async (file, protocol) => {
    await check(file, protocol, expectEarlyLipSync);
  });
});
