// Finds the ffmpeg binary: FFMPEG_PATH, then the ffmpeg-static package, then `ffmpeg` on PATH.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';

export class FfmpegNotFoundError extends Error {
  constructor() {
    super(
      'ffmpeg not found: set FFMPEG_PATH, install the optional ffmpeg-static package, ' +
        'or install ffmpeg on PATH (Debian: apt-get install ffmpeg)',
    );
    this.name = 'FfmpegNotFoundError';
  }
}

let cached: string | undefined;

/** Resolves ffmpeg once per process; throws FfmpegNotFoundError with the three ways to provide it. */
export function resolveFfmpeg(): string {
  if (cached) return cached;
  const fromEnv = process.env.FFMPEG_PATH;
  if (fromEnv && existsSync(fromEnv)) return (cached = fromEnv);
  try {
    // ffmpeg-static is optional: its install step downloads a binary, which fails on offline machines.
    const req = createRequire(import.meta.url);
    const p = req('ffmpeg-static') as string | null;
    if (p && existsSync(p)) return (cached = p);
  } catch {
    /* not installed */
  }
  const onPath = spawnSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim()) return (cached = onPath.stdout.trim());
  throw new FfmpegNotFoundError();
}

/** ffprobe beside the resolved ffmpeg, else on PATH. */
export function resolveFfprobe(): string {
  const ff = resolveFfmpeg();
  const sibling = ff.replace(/ffmpeg(\.exe)?$/, 'ffprobe$1');
  if (sibling !== ff && existsSync(sibling)) return sibling;
  return 'ffprobe';
}
