// GStreamer's rtspsrc reading a stream (test/fixtures/gst-rtsp-read.py): pictures and audio seconds decoded, counted at the sink, the video pts, and rtpbin's lip-sync corrections.
import { resolve } from 'node:path';
import { describeRun, run } from './spawn.js';

const SCRIPT = resolve(import.meta.dirname, '../fixtures/gst-rtsp-read.py');
/** Debian's python3-gi lives with /usr/bin/python3 (a pyenv or venv python has no gi module). */
const PYTHON = '/usr/bin/python3';

export interface GstRead {
  videoFrames: number;
  audioSeconds: number;
  /** Pts (s) of every decoded picture, in order. */
  videoPts: number[];
  /** Every change of an rtpjitterbuffer's ts-offset (rtpbin's A/V alignment), with the last video pts decoded then. */
  tsOffsets: { jitterbuffer: string; ms: number; atVideoPts: number }[];
  /** The stream ended by itself (rtspsrc's EOS after RTCP BYE), before the counts were reached. */
  eos: boolean;
  stoppedBy: 'counts' | 'eos' | 'deadline' | 'error' | 'stdin closed';
  errors: string[];
  warnings: string[];
  /** The command and what it printed, for an assertion message. */
  info: string;
}

export interface GstReadOptions {
  /** rtspsrc `protocols` (udp, tcp, ...). */
  protocols?: string;
  /** Other rtspsrc properties, name=value. */
  props?: string[];
  /** Stop once this much is decoded (EOS down the pipeline, then TEARDOWN). */
  videoFrames?: number;
  audioSeconds?: number;
  /** Stop this long after the start whatever was decoded: a deadline for a loaded machine, not a measure. */
  deadlineS: number;
}

/**
 * Reads `url` with rtspsrc (latency 2000 ms: rtpjitterbuffer gives a packet up as lost when it is
 * later than that, and a reader starved of CPU by the rest of the suite reads seconds late) until
 * the counts are decoded, the stream ends, or the deadline.
 */
export async function gstRead(url: string, o: GstReadOptions): Promise<GstRead> {
  const args = [SCRIPT, url, '--deadline', String(o.deadlineS)];
  if (o.protocols) args.push('--protocols', o.protocols);
  for (const p of o.props ?? []) args.push('--prop', p);
  if (o.videoFrames !== undefined) args.push('--video-frames', String(o.videoFrames));
  if (o.audioSeconds !== undefined) args.push('--audio-seconds', String(o.audioSeconds));
  const r = await run(PYTHON, args, { timeoutMs: (o.deadlineS + 30) * 1000, stdin: 'pipe' });
  const info = describeRun(PYTHON, args, r);
  let parsed: Omit<GstRead, 'info'>;
  try {
    parsed = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '');
  } catch {
    throw new Error(`gst-rtsp-read.py printed no result\n${info}`);
  }
  return { ...parsed, info: `${info}\nresult: ${JSON.stringify({ ...parsed, videoPts: `${parsed.videoPts.length} values` })}` };
}

/** rtpbin lip-sync corrections of more than 20 ms (jitter buffer `ts-offset`), with the video pts decoded when each was made. */
export function lipSyncCorrections(p: GstRead): { jitterbuffer: string; ms: number; atVideoPts: number }[] {
  const last = new Map<string, number>();
  return p.tsOffsets.filter((o) => {
    const big = Math.abs(o.ms - (last.get(o.jitterbuffer) ?? 0)) > 20;
    last.set(o.jitterbuffer, o.ms);
    return big;
  });
}
