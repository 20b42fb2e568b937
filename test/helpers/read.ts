// Reads an RTSP path with real ffmpeg for a few seconds and counts decoded frames per stream; polls a condition.
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { run, type RunResult } from './spawn.js';
import { sleep } from './rtsp-client.js';

export interface ReadResult {
  /** Frames (video) and packets (audio) decoded, by stream index. */
  video: number;
  audio: number;
  args: string[];
  r: RunResult;
}

/**
 * ffmpeg's UDP socket buffer for the tests' readers: 4 MB holds more than any test reads, so a
 * reader starved of CPU by the rest of the suite reads late but loses nothing on loopback.
 */
export const UDP_BUFFER = ['-buffer_size', '4194304'];

/** Decodes `url` for `seconds` with ffmpeg (framecrc): stderr stays empty when nothing failed to decode. */
export async function readFor(url: string, transport: 'udp' | 'tcp' | 'http', seconds: number): Promise<ReadResult> {
  const args = ['-v', 'error', '-rtsp_transport', transport, ...(transport === 'udp' ? UDP_BUFFER : []), '-i', url, '-t', String(seconds), '-f', 'framecrc', '-'];
  const r = await run(resolveFfmpeg(), args, { timeoutMs: (seconds + 20) * 1000 });
  const lines = r.stdout.split('\n');
  return { video: lines.filter((l) => /^0,/.test(l)).length, audio: lines.filter((l) => /^1,/.test(l)).length, args, r };
}

/** Polls `cond` every `everyMs` (default 100) until it holds; throws `what` after `ms`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string, everyMs = 100): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await cond()) return;
    await sleep(everyMs);
  }
  // One last look: a machine that stalled past the deadline may have met the condition meanwhile.
  if (await cond()) return;
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** Waits until ffprobe over TCP describes `url` (a publisher is live there); `what` names it in the timeout. */
export async function waitLive(url: string, what: string, ms = 45_000): Promise<void> {
  await waitFor(async () => {
    const r = await run(resolveFfprobe(), ['-v', 'quiet', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv', url], { timeoutMs: 10_000 });
    return r.code === 0 && r.stdout.trim() !== '';
  }, ms, what, 300);
}
