// ffmpeg and ffprobe against Tidecast over UDP and TCP: clean decodes, frame counts, bit-exact video, stream info, 404.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { UDP_BUFFER } from '../helpers/read.js';
import { startTestServer, MEDIA_DIR, type TestServer } from '../helpers/server.js';
import { run, describeRun } from '../helpers/spawn.js';

const FILES = ['sample.mp4', 'sample.mkv', 'sample.ts'] as const;
const TRANSPORTS = ['udp', 'tcp'] as const;
const SECONDS = 5;

let srv: TestServer;
let ffmpeg: string;
let ffprobe: string;
let tmp: string;

beforeAll(async () => {
  ffmpeg = resolveFfmpeg();
  ffprobe = resolveFfprobe();
  tmp = mkdtempSync(join(tmpdir(), 'tidecast-ffmpeg-'));
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

interface FrameLine {
  stream: number;
  pts: number;
  duration: number;
  size: number;
  hash: string;
}
interface FrameMd5 {
  mediaType: Map<number, string>;
  /** Seconds per time-base unit, per stream (`#tb N: 1/48000`). */
  timeBase: Map<number, number>;
  frames: FrameLine[];
}

/** Parses ffmpeg's framemd5 muxer output: `#media_type N: video` headers, then `stream, dts, pts, duration, size, hash` lines. */
function parseFrameMd5(text: string): FrameMd5 {
  const mediaType = new Map<number, string>();
  const timeBase = new Map<number, number>();
  const frames: FrameLine[] = [];
  for (const line of text.split('\n')) {
    const m = /^#media_type (\d+): (\w+)/.exec(line);
    if (m) {
      mediaType.set(Number(m[1]), m[2]!);
      continue;
    }
    const tb = /^#tb (\d+): (\d+)\/(\d+)/.exec(line);
    if (tb) {
      timeBase.set(Number(tb[1]), Number(tb[2]) / Number(tb[3]));
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    const f = line.split(',').map((s) => s.trim());
    frames.push({ stream: Number(f[0]), pts: Number(f[2]), duration: Number(f[3]), size: Number(f[4]), hash: f[5]! });
  }
  return { mediaType, timeBase, frames };
}

function streamOf(fm: FrameMd5, kind: 'video' | 'audio'): FrameLine[] {
  const idx = [...fm.mediaType].find(([, t]) => t === kind)?.[0];
  if (idx === undefined) return [];
  return fm.frames.filter((f) => f.stream === idx);
}

/**
 * The received hashes must be one contiguous run of the reference's: nothing lost, duplicated,
 * reordered or altered. The run may start a little into the reference (an AAC priming packet with
 * negative pts is dropped by ffmpeg's stream copy).
 */
function expectContiguousRun(received: string[], reference: string[], what: string, maxLead = 2): void {
  expect(received.length, `${what}: nothing received`).toBeGreaterThan(0);
  const start = reference.indexOf(received[0]!);
  expect(start, `${what}: first received frame not among the first ${maxLead + 1} of the file`).toBeGreaterThanOrEqual(0);
  expect(start, `${what}: first received frame is #${start} of the file`).toBeLessThanOrEqual(maxLead);
  const expected = reference.slice(start, start + received.length);
  expect(received.length, `${what}: reference too short`).toBeLessThanOrEqual(expected.length);
  const firstBad = received.findIndex((h, i) => h !== expected[i]);
  expect(firstBad, `${what}: frame #${firstBad} differs from the file's #${start + firstBad}`).toBe(-1);
}

interface Reference {
  /** Decoded video frame hashes of the local file (first SECONDS + 1 s). */
  videoDecoded: string[];
  /** Compressed audio packet hashes of the local file. */
  audioPackets: string[];
  /** Seconds of audio per packet (1024/48000 for AAC, 0.02 for Opus). */
  audioPacketSeconds: number;
  fps: number;
  streams: ProbedStream[];
}

interface ProbedStream {
  codec_type: string;
  codec_name: string;
  profile?: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  r_frame_rate?: string;
}

async function probe(target: string): Promise<ProbedStream[]> {
  const args = ['-v', 'error', '-show_streams', '-of', 'json', target];
  const r = await run(ffprobe, args, { timeoutMs: 20_000 });
  expect(r.code, describeRun(ffprobe, args, r)).toBe(0);
  expect(r.stderr, describeRun(ffprobe, args, r)).toBe('');
  return (JSON.parse(r.stdout) as { streams: ProbedStream[] }).streams;
}

const refs = new Map<string, Promise<Reference>>();
/** What the local file decodes to, computed once per file (a few hundred ms). */
function reference(file: string): Promise<Reference> {
  let p = refs.get(file);
  if (!p) {
    p = (async () => {
      const local = join(MEDIA_DIR, file);
      const v = ['-v', 'error', '-i', local, '-t', String(SECONDS + 1), '-map', '0:v:0', '-fps_mode', 'passthrough', '-f', 'framemd5', '-'];
      // MPEG-TS carries AAC in ADTS frames; RTP (RFC 3640) carries the raw frames, so strip the headers to compare.
      const adts = file.endsWith('.ts') ? ['-bsf:a', 'aac_adtstoasc'] : [];
      const a = ['-v', 'error', '-i', local, '-t', String(SECONDS + 1), '-map', '0:a:0', '-c', 'copy', ...adts, '-f', 'framemd5', '-'];
      const [rv, ra, streams] = await Promise.all([
        run(ffmpeg, v, { timeoutMs: 30_000 }),
        run(ffmpeg, a, { timeoutMs: 30_000 }),
        probe(local),
      ]);
      expect(rv.code, describeRun(ffmpeg, v, rv)).toBe(0);
      expect(ra.code, describeRun(ffmpeg, a, ra)).toBe(0);
      const audioMd5 = parseFrameMd5(ra.stdout);
      const audioPackets = streamOf(audioMd5, 'audio');
      const video = streams.find((s) => s.codec_type === 'video')!;
      const [num, den] = video.r_frame_rate!.split('/').map(Number);
      return {
        videoDecoded: streamOf(parseFrameMd5(rv.stdout), 'video').map((f) => f.hash),
        audioPackets: audioPackets.map((f) => f.hash),
        audioPacketSeconds: audioPackets[1]!.duration * audioMd5.timeBase.get(audioPackets[1]!.stream)!,
        fps: num! / den!,
        streams,
      };
    })();
    refs.set(file, p);
  }
  return p;
}

describe.each(FILES)('ffmpeg plays %s', (file) => {
  it.concurrent.each(TRANSPORTS)(`-rtsp_transport %s: ${SECONDS} s decode cleanly, frame counts right, frames identical to the file`, async (transport) => {
    const ref = await reference(file);
    const copyOut = join(tmp, `${file}.${transport}.copy.framemd5`);
    // One session, two outputs: decoded frames on stdout, compressed packets in a file.
    // Over UDP with a socket buffer larger than all the test reads: a reader starved of CPU reads
    // late but loses nothing, so every picture is still checked.
    const args = [
      '-v', 'error', '-rtsp_transport', transport, ...(transport === 'udp' ? UDP_BUFFER : []), '-i', srv.url(file),
      '-map', '0:v:0', '-map', '0:a:0', '-t', String(SECONDS), '-fps_mode', 'passthrough', '-f', 'framemd5', 'pipe:1',
      '-map', '0:a:0', '-t', String(SECONDS), '-c', 'copy', '-f', 'framemd5', '-y', copyOut,
    ];
    const r = await run(ffmpeg, args, { timeoutMs: 90_000 });
    const info = describeRun(ffmpeg, args, r);
    expect(r.timedOut, info).toBe(false);
    expect(r.code, info).toBe(0);
    // -v error: any decode error, "RTP: missed packets", "Nonmatching transport", DTS trouble… lands here.
    expect(r.stderr, info).toBe('');

    const decoded = parseFrameMd5(r.stdout);
    const video = streamOf(decoded, 'video');
    const audio = streamOf(decoded, 'audio');
    const expectedVideo = SECONDS * ref.fps;
    expect(video.length, info).toBeGreaterThanOrEqual(expectedVideo - 10);
    expect(video.length, info).toBeLessThanOrEqual(expectedVideo + 10);
    const expectedAudio = SECONDS / ref.audioPacketSeconds;
    expect(audio.length, info).toBeGreaterThanOrEqual(Math.floor(expectedAudio * 0.9));
    expect(audio.length, info).toBeLessThanOrEqual(Math.ceil(expectedAudio * 1.1));

    // Video: every decoded picture is bit-identical to the local decode, in order, from the first one.
    expectContiguousRun(video.map((f) => f.hash), ref.videoDecoded, `${file} ${transport} video pictures`, 0);
    // Timestamps are monotonic (B-frames reordered correctly, no DTS trouble). From the second
    // frame on: ffmpeg's H.264 parser gives the first frame of an RTSP stream no pts (ffprobe shows
    // N/A for it from any server, gst-rtsp-server included), so its pts is a guess that can equal
    // the next frame's when the stream's start time is taken from that B-frame.
    for (let i = 2; i < video.length; i++) expect(video[i]!.pts, `${file} ${transport} video pts #${i}`).toBeGreaterThan(video[i - 1]!.pts);

    // Audio: the compressed packets are the file's, byte for byte, with none missing.
    const copied = streamOf(parseFrameMd5(readFileSync(copyOut, 'utf8')), 'audio');
    expectContiguousRun(copied.map((f) => f.hash), ref.audioPackets, `${file} ${transport} audio packets`);
  }, 120_000);
});

describe('ffprobe', () => {
  it.concurrent.each(FILES)('reports the same streams for rtsp://…/%s as for the local file', async (file) => {
    const ref = await reference(file);
    const remote = await probe(srv.url(file));
    const pick = (s: ProbedStream): Partial<ProbedStream> =>
      s.codec_type === 'video'
        ? { codec_type: s.codec_type, codec_name: s.codec_name, profile: s.profile, width: s.width, height: s.height }
        : { codec_type: s.codec_type, codec_name: s.codec_name, sample_rate: s.sample_rate, channels: s.channels };
    const remoteStreams = remote.map(pick);
    expect(remoteStreams).toEqual(ref.streams.map(pick));
    // And the values the samples are documented to have.
    expect(remoteStreams[0]).toMatchObject({ codec_type: 'video', codec_name: 'h264' });
    expect(remoteStreams[1]).toMatchObject({ codec_type: 'audio', codec_name: file === 'sample.mkv' ? 'opus' : 'aac', sample_rate: '48000', channels: 2 });
  });

  it('fails on an unknown path and says 404', async () => {
    const args = ['-v', 'error', '-show_streams', '-of', 'json', srv.url('nope.mp4')];
    const r = await run(ffprobe, args, { timeoutMs: 20_000 });
    const info = describeRun(ffprobe, args, r);
    expect(r.timedOut, info).toBe(false);
    expect(r.code, info).not.toBe(0);
    expect(r.stderr, info).toMatch(/404/);
  });
});
