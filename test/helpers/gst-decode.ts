// GStreamer rtspsrc decoding a stream to its end: what it decoded, counted from the bytes each branch wrote, and the pts of the video buffers as gst-launch printed them.
import { statSync } from 'node:fs';
import { describeRun, run } from './spawn.js';

export const GST = 'gst-launch-1.0';

/**
 * What each branch decodes goes to a file as 16x16 I420 pictures (384 bytes each) and 8 kHz mono
 * S16 audio (16 000 bytes a second): the file sizes count frames and seconds exactly. The
 * `last-message` lines of the identity element give the video buffers' pts, but gst-launch reads
 * that property when it prints the notification, so lines can repeat or go missing under load:
 * they date events, they count nothing.
 */
const FRAME_BYTES = 16 * 16 * 1.5;
const AUDIO_BYTES_PER_S = 8000 * 2;

export interface Buf {
  pts: number;
  bytes: number;
}

export interface GstDecoded {
  info: string;
  stdout: string;
  stderr: string;
  code: number | null;
  timedOut: boolean;
  /** Video buffers as printed (see above). */
  video: Buf[];
  /** Decoded video pictures and audio seconds, from the sizes of the files the branches wrote. */
  videoFrames: number;
  audioSeconds: number;
  /** ERROR and WARNING lines gst-launch printed (element errors, GLib criticals). */
  problems: string[];
}

export const gstClock = (s: string): number => {
  const [h, m, sec] = s.split(':');
  return Number(h) * 3600 + Number(m) * 60 + Number(sec);
};

/** identity silent=false under -v prints a `last-message = chain ... (N bytes, dts: …, pts: H:MM:SS.nnn, …)` line per buffer (see above: not every one). */
function buffersOf(stdout: string, sink: string): Buf[] {
  const re = new RegExp(`${sink}: last-message = chain[^(]*\\(\\S+\\) \\((\\d+) bytes, dts: [^,]+, pts: ([\\d:.]+)`, 'g');
  const out: Buf[] = [];
  for (const m of stdout.matchAll(re)) out.push({ bytes: Number(m[1]), pts: gstClock(m[2]!) });
  return out;
}

const sizeOf = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

/**
 * `gst-launch-1.0 -e -v rtspsrc location=<url> <rtspsrcProps...>` with a video and an audio branch,
 * each decoding into `<out>.video` / `<out>.audio`. The stream's end (RTCP BYE on every track) ends
 * the pipeline with EOS; `stopAfterS` later gst-launch gets SIGINT (-e drains to EOS), for a BYE
 * lost over UDP. latency=2000: rtpjitterbuffer declares a packet lost when it is later than that,
 * and a gst-launch starved of CPU by the rest of the suite reads seconds late.
 */
export async function gstDecode(url: string, rtspsrcProps: string[], out: string, stopAfterS: number): Promise<GstDecoded> {
  // Caps filters on the two src. links make gst-launch give the video pad to the video branch and
  // the audio pad to the audio one.
  const args = [
    '-e', '-v',
    'rtspsrc', `location=${url}`, ...rtspsrcProps, 'latency=2000', 'name=src',
    'src.', '!', 'application/x-rtp,media=video', '!', 'queue', '!', 'decodebin', '!', 'videoconvert', '!', 'videoscale', '!',
    'video/x-raw,format=I420,width=16,height=16', '!', 'identity', 'name=vsink', 'silent=false', '!', 'filesink', `location=${out}.video`,
    'src.', '!', 'application/x-rtp,media=audio', '!', 'queue', '!', 'decodebin', '!', 'audioconvert', '!', 'audioresample', '!',
    'audio/x-raw,format=S16LE,rate=8000,channels=1', '!', 'filesink', `location=${out}.audio`,
  ];
  const r = await run(GST, args, { stopAfterMs: stopAfterS * 1000, stopSignal: 'SIGINT', timeoutMs: (stopAfterS + 30) * 1000 });
  return {
    info: describeRun(GST, args, r),
    stdout: r.stdout,
    stderr: r.stderr,
    code: r.code,
    timedOut: r.timedOut,
    video: buffersOf(r.stdout, 'vsink'),
    videoFrames: sizeOf(`${out}.video`) / FRAME_BYTES,
    audioSeconds: sizeOf(`${out}.audio`) / AUDIO_BYTES_PER_S,
    problems: (r.stdout + '\n' + r.stderr).split('\n').filter((l) => /\b(ERROR|WARNING|CRITICAL)\b/.test(l) && !/last-message/.test(l)),
  };
}
