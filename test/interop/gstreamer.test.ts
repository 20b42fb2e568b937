// GStreamer rtspsrc against Tidecast over UDP and TCP: video and audio decode to the end of the file with no errors, every frame once, and lip sync settles early.
// The clips are the bundled ones cut to 8 s, so a run ends at the file's end (RTCP BYE, then EOS)
// and what must be decoded is known exactly: nothing depends on how long the machine takes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { run, describeRun } from '../helpers/spawn.js';

const GST = 'gst-launch-1.0';
/** Media seconds of each clip: past the server's 5 s SR, so a late lip-sync correction shows. */
const CLIP_S = 8;
const FILES = ['sample.mp4', 'sample.mkv', 'sample.ts'] as const;

let srv: TestServer;
let dir: string;
/** Video frames in each clip, as ffprobe counts them. */
const frames = new Map<string, number>();

beforeAll(async () => {
  const v = spawnSync(GST, ['--version'], { encoding: 'utf8' });
  if (v.status !== 0) throw new Error(`${GST} not found (apt-get install gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-libav)`);
  dir = mkdtempSync(join(tmpdir(), 'tidecast-gst-'));
  for (const f of FILES) {
    const cut = spawnSync(resolveFfmpeg(), ['-v', 'error', '-i', join(MEDIA_DIR, f), '-t', String(CLIP_S), '-map', '0', '-c', 'copy', join(dir, f)], { encoding: 'utf8' });
    if (cut.status !== 0) throw new Error(`cutting ${f}: ${cut.stderr}`);
    const probe = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', join(dir, f)], { encoding: 'utf8' });
    frames.set(f, Number(probe.stdout.trim().split('\n')[0]));
  }
  srv = await startTestServer({ mediaDir: dir });
});
afterAll(async () => {
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Buf {
  pts: number;
  bytes: number;
}

const clock = (s: string): number => {
  const [h, m, sec] = s.split(':');
  return Number(h) * 3600 + Number(m) * 60 + Number(sec);
};

/**
 * What each branch decodes goes to a file as 16x16 I420 pictures (384 bytes each) and 8 kHz mono
 * S16 audio (16 000 bytes a second): the file sizes count frames and seconds exactly. The
 * `last-message` lines of the identity elements give each buffer's pts, but gst-launch reads that
 * property when it prints the notification, so lines can repeat or go missing under load: they date
 * the lip-sync corrections, they count nothing.
 */
const FRAME_BYTES = 16 * 16 * 1.5;
const AUDIO_BYTES_PER_S = 8000 * 2;

/** identity silent=false under -v prints a `last-message = chain ... (N bytes, dts: …, pts: H:MM:SS.nnn, …)` line per buffer (see above: not every one). */
function buffersOf(stdout: string, sink: string): Buf[] {
  const re = new RegExp(`${sink}: last-message = chain[^(]*\\(\\S+\\) \\((\\d+) bytes, dts: [^,]+, pts: ([\\d:.]+)`, 'g');
  const out: Buf[] = [];
  for (const m of stdout.matchAll(re)) out.push({ bytes: Number(m[1]), pts: clock(m[2]!) });
  return out;
}

interface Played {
  label: string;
  file: string;
  protocol: 'udp' | 'tcp';
  info: string;
  stdout: string;
  video: Buf[];
  /** Decoded video pictures and audio seconds, from the sizes of the files the branches wrote. */
  videoFrames: number;
  audioSeconds: number;
  timedOut: boolean;
  code: number | null;
  stderr: string;
}

const sizeOf = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

async function play(file: string, protocol: 'udp' | 'tcp'): Promise<Played> {
  // Caps filters on the two src. links make gst-launch give the video pad to the video branch and
  // the audio pad to the audio one. latency=2000: rtpjitterbuffer declares a packet lost when it is
  // later than that, and a gst-launch starved of CPU by the rest of the suite reads seconds late.
  const out = join(dir, `${file}-${protocol}`);
  const args = [
    '-e', '-v',
    'rtspsrc', `location=${srv.url(file)}`, `protocols=${protocol}`, 'latency=2000', 'name=src',
    'src.', '!', 'application/x-rtp,media=video', '!', 'queue', '!', 'decodebin', '!', 'videoconvert', '!', 'videoscale', '!',
    'video/x-raw,format=I420,width=16,height=16', '!', 'identity', 'name=vsink', 'silent=false', '!', 'filesink', `location=${out}.video`,
    'src.', '!', 'application/x-rtp,media=audio', '!', 'queue', '!', 'decodebin', '!', 'audioconvert', '!', 'audioresample', '!',
    'audio/x-raw,format=S16LE,rate=8000,channels=1', '!', 'filesink', `location=${out}.audio`,
  ];
  // The file's end (RTCP BYE on every track) ends the pipeline with EOS. Over UDP a BYE can be lost:
  // then SIGINT (gst-launch -e drains to EOS), long after the clip has been sent.
  const r = await run(GST, args, { stopAfterMs: (CLIP_S + 60) * 1000, stopSignal: 'SIGINT', timeoutMs: (CLIP_S + 90) * 1000 });
  return {
    label: `${file} ${protocol}`,
    file,
    protocol,
    info: describeRun(GST, args, r),
    stdout: r.stdout,
    stderr: r.stderr,
    timedOut: r.timedOut,
    code: r.code,
    video: buffersOf(r.stdout, 'vsink'),
    videoFrames: sizeOf(`${out}.video`) / FRAME_BYTES,
    audioSeconds: sizeOf(`${out}.audio`) / AUDIO_BYTES_PER_S,
  };
}

function expectCleanDecode(p: Played): void {
  const { label, info, videoFrames, audioSeconds } = p;
  expect(p.timedOut, `${label}: gst-launch hung\n${info}`).toBe(false);
  expect(p.code, info).toBe(0);
  // gst-launch prints element errors and warnings as "ERROR: from element …" / "WARNING: from element …".
  const problems = (p.stdout + '\n' + p.stderr).split('\n').filter((l) => /\b(ERROR|WARNING)\b/.test(l) && !/last-message/.test(l));
  expect(problems, `${label}: errors/warnings\n${info}`).toEqual([]);
  expect(p.stdout, info).toMatch(/Got EOS from element/);
  const expected = frames.get(p.file)!;
  const why = `${label}: ${videoFrames} of ${expected} video frames, decoded audio ${audioSeconds.toFixed(3)} s\n${info}`;
  console.log(why.split('\n')[0]);
  // Every frame of the clip decoded, and none twice: rtspsrc drops video when RTP-Info's seq is
  // wrong (a GOP and more). Over TCP nothing is lost, so the count is exact; over UDP a starved
  // loopback may drop a datagram, so it is at most the clip's and most of it.
  if (p.protocol === 'tcp') expect(videoFrames, why).toBe(expected);
  else {
    expect(videoFrames, why).toBeLessThanOrEqual(expected);
    expect(videoFrames, why).toBeGreaterThan(expected / 2);
  }
  // Audio to the clip's end, within one frame (AAC 21.3 ms, Opus 20 ms) of it.
  expect(audioSeconds, why).toBeLessThanOrEqual(CLIP_S + 0.025);
  expect(audioSeconds, why).toBeGreaterThan(p.protocol === 'tcp' ? CLIP_S - 0.025 : CLIP_S / 2);
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
  // Start every pipeline at once: they are paced by the server, and the checks need no timing.
  beforeAll(() => {
    for (const [f, t] of CASES) void played(f, t).catch(() => undefined);
  });
  it.concurrent.each(CASES)(`%s over %s: video + audio decode the ${CLIP_S} s clip to its end without errors, every frame once`, async (file, protocol) => {
    expectCleanDecode(await played(file, protocol));
  });
  it.concurrent.each(CASES)('%s over %s: lip sync settled within 3 s (an RTCP SR rtpbin can use)', async (file, protocol) => {
    expectEarlyLipSync(await played(file, protocol));
  });
});
