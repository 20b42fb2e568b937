// GStreamer rtspsrc against Tidecast over UDP and TCP: video and audio decode to the end of the file with no errors, every frame once (how soon rtpbin settles lip sync is a benchmark figure: bench/gst-lipsync.ts).
// The clips are the bundled ones cut to 8 s, so a run ends at the file's end (RTCP BYE, then EOS)
// and what must be decoded is known exactly: nothing depends on how long the machine takes.
import { spawnSync } from 'node:child_process';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cutClips, type Clips } from '../helpers/clips.js';
import { gstRead, type GstRead } from '../helpers/gst-read.js';
import { describeRun, run } from '../helpers/spawn.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Media seconds of each clip. */
const CLIP_S = 8;
const FILES = ['sample.mp4', 'sample.mkv', 'sample.ts'] as const;

let srv: TestServer;
let clips: Clips;

beforeAll(async () => {
  const v = spawnSync('gst-inspect-1.0', ['rtspsrc'], { encoding: 'utf8' });
  if (v.status !== 0) throw new Error('GStreamer rtspsrc not found (apt-get install gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-libav)');
  clips = cutClips([...FILES], CLIP_S);
  srv = await startTestServer({ mediaDir: clips.dir });
});
afterAll(async () => {
  await srv?.close();
  clips?.remove();
});

interface Played extends GstRead {
  label: string;
  file: string;
  protocol: 'udp' | 'tcp';
}

async function play(file: string, protocol: 'udp' | 'tcp'): Promise<Played> {
  // Until every picture and (within a frame) all the audio of the clip are decoded, or the file's
  // end (RTCP BYE) ended the stream; the deadline is for a machine loaded several times over.
  const d = await gstRead(srv.url(`clip-${file}`), { protocols: protocol, videoFrames: clips.videoFrames.get(`clip-${file}`)!, audioSeconds: CLIP_S - 0.05, deadlineS: 60 });
  return { ...d, label: `${file} ${protocol}`, file, protocol };
}

function expectCleanDecode(p: Played): void {
  const { label, info, videoFrames, audioSeconds } = p;
  expect(p.errors, `${label}: errors\n${info}`).toEqual([]);
  expect(p.warnings, `${label}: warnings\n${info}`).toEqual([]);
  expect(p.stoppedBy, info).not.toBe('deadline');
  const expected = clips.videoFrames.get(`clip-${p.file}`)!;
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
  expect(audioSeconds, why).toBeGreaterThan(p.protocol === 'tcp' ? CLIP_S - 0.05 : CLIP_S / 2);
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
  }, 150_000);
});

describe('gst-launch playbin (clock-synced sinks, as a player has)', () => {
  // With an end in PLAY's Range, rtpjitterbuffer armed an npt-stop timer and the video branch never
  // got EOS after its last frame: playbin played on for ever. The file's end (RTCP BYE) must end it.
  it.concurrent.each([['rtsp'], ['rtspt']])(`%s:// clip-sample.mp4 reaches EOS at the end of the ${CLIP_S} s clip`, async (scheme) => {
    const uri = srv.url('clip-sample.mp4').replace(/^rtsp:/, `${scheme}:`);
    const args = ['playbin', `uri=${uri}`, 'video-sink=fakesink sync=true', 'audio-sink=fakesink sync=true'];
    const r = await run('gst-launch-1.0', args, { timeoutMs: 40_000 });
    const info = describeRun('gst-launch-1.0', args, r);
    expect(r.stdout, info).toContain('Got EOS from element "playbin0"');
    expect(r.code, info).toBe(0);
  }, 120_000);
});
