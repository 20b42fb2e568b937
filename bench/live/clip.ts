// The live benchmark's media: a 720p30 H.264 (2 Mbit/s, CBR-ish, 2 s GOP) + AAC clip, made once with
// ffmpeg and cached in /tmp. Tidecast gets it from an ffmpeg publisher, gst-rtsp-server from a filesrc.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLIP_SECONDS = 60;
export const GOP_SECONDS = 2;
const FPS = 30;

/** The encoder settings are in the name: a changed recipe makes a new file. */
export const CLIP = join(tmpdir(), `tidecast-bench-live-720p30-2M-gop${GOP_SECONDS}s-aac-${CLIP_SECONDS}s.mp4`);

export const CLIP_ARGS = [
  '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=${FPS}`,
  '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000',
  '-t', String(CLIP_SECONDS),
  '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
  '-b:v', '2M', '-minrate', '2M', '-maxrate', '2M', '-bufsize', '1M', '-x264-params', 'nal-hrd=cbr',
  '-g', String(GOP_SECONDS * FPS), '-keyint_min', String(GOP_SECONDS * FPS), '-sc_threshold', '0',
  '-c:a', 'aac', '-b:a', '128k', '-ac', '2',
  '-movflags', '+faststart',
];

/** Makes the clip unless it is cached; returns its path. */
export function ensureClip(log: (s: string) => void = () => {}): string {
  if (existsSync(CLIP) && statSync(CLIP).size > 1_000_000) return CLIP;
  log(`bench: making ${CLIP} (once; about a minute)\n`);
  const tmp = `${CLIP}.part.mp4`;
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...CLIP_ARGS, tmp], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg could not make the clip: ${(r.stderr || String(r.error)).trim().split('\n').pop()}`);
  renameSync(tmp, CLIP);
  return CLIP;
}

/** `ffmpeg -re -stream_loop -1 -i CLIP -c copy -f rtsp -rtsp_transport tcp URL`: the live publisher. */
export function startPublisher(url: string): { child: ChildProcess; stderr: () => string } {
  const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', CLIP, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', url], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => {
    if (err.length < 20000) err += b.toString();
  });
  return { child, stderr: () => err };
}
