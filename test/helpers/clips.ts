// Short cuts of the bundled clips in a temporary media directory: a player that reads one to its end stops on the stream's EOS, and what it must decode is known exactly.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { MEDIA_DIR } from './server.js';

export interface Clips {
  /** A media directory: the cuts, and the bundled files themselves under their own names. */
  dir: string;
  /** Video frames in each cut, as ffprobe counts them. */
  videoFrames: Map<string, number>;
  remove(): void;
}

/** Cuts each of `files` (names under media/) to its first `seconds` (stream copy) as `clip-<name>`. */
export function cutClips(files: string[], seconds: number): Clips {
  const dir = mkdtempSync(join(tmpdir(), 'tidecast-clips-'));
  const videoFrames = new Map<string, number>();
  // Copies, not links: the server refuses a link whose file lies outside its media directory.
  for (const f of ['sample.mp4', 'sample.mkv', 'sample.ts']) copyFileSync(join(MEDIA_DIR, f), join(dir, f));
  for (const f of files) {
    const out = join(dir, `clip-${f}`);
    const cut = spawnSync(resolveFfmpeg(), ['-v', 'error', '-i', join(MEDIA_DIR, f), '-t', String(seconds), '-map', '0', '-c', 'copy', out], { encoding: 'utf8' });
    if (cut.status !== 0) throw new Error(`cutting ${f}: ${cut.stderr}`);
    const probe = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', out], { encoding: 'utf8' });
    const n = Number(probe.stdout.trim().split('\n')[0]);
    if (!(n > 0)) throw new Error(`ffprobe counted no video frames in ${out}: ${probe.stderr}`);
    videoFrames.set(`clip-${f}`, n);
  }
  return { dir, videoFrames, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
