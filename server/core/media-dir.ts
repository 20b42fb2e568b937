// The media directory's boundary: files are served only when their real path (links followed) lies inside it, and messages name files relative to it.
import { realpathSync } from 'node:fs';
import { relative, sep } from 'node:path';

/** True when `child` is `dir` itself or below it (both absolute and normalized). */
export function isInside(dir: string, child: string): boolean {
  const rel = relative(dir, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel));
}

/**
 * The real path of `full` (an existing file under `mediaDir` by name), or undefined when a symbolic
 * link on the way leads out of the media directory: a link `x.mp4 -> /etc/passwd` in it must not
 * serve /etc/passwd. A file that does not exist yields `full` unchanged (the caller answers 404).
 */
export function realInside(mediaDir: string, full: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    return full;
  }
  let root: string;
  try {
    root = realpathSync(mediaDir);
  } catch {
    root = mediaDir;
  }
  return isInside(root, real) ? real : undefined;
}

/**
 * `message` with absolute paths of the media directory replaced by the path a client asked for:
 * an answer (a 415 from the demuxer, say) must not tell the world where the files live.
 */
export function withoutMediaDir(message: string, mediaDir: string, full: string, requested: string): string {
  let m = message.split(`${full}: `).join('').split(full).join(`/${requested}`);
  for (const dir of new Set([mediaDir, safeReal(mediaDir)])) m = m.split(`${dir}${sep}`).join('/').split(dir).join('(media directory)');
  return m;
}

function safeReal(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
