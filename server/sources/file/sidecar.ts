// Sidecar subtitles of a media file: `name.vtt`, `name.srt` or `name.<lang>.vtt|srt` beside `name.<ext>`, read once per loaded file
// (the loader puts them in SeekableMedia.subtitles).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { cleanLanguage, languageName } from '../../media/language.js';
import { MAX_SUBTITLE_CHARS, parseSubtitles, type Cue, type TextSource } from '../../media/subtitles.js';

/** `base.vtt` first, then `base.srt`, then `base.<lang>.vtt|srt` in name order. */
export function findSidecar(mediaPath: string): TextSource | undefined {
  const dir = dirname(mediaPath);
  const base = basename(mediaPath, extname(mediaPath));
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  const candidates = names
    .map((n) => ({ n, m: matchName(base, n) }))
    .filter((c): c is { n: string; m: { lang?: string; rank: number } } => c.m !== undefined)
    .sort((a, b) => a.m.rank - b.m.rank || a.n.localeCompare(b.n));
  for (const { n, m } of candidates) {
    const cues = readCues(join(dir, n));
    if (!cues) continue;
    const language = m.lang === undefined ? undefined : cleanLanguage(m.lang);
    return { origin: n, language, name: language ? languageName(language) : 'Subtitles', cues };
  }
  return undefined;
}

function matchName(base: string, name: string): { lang?: string; rank: number } | undefined {
  if (!name.startsWith(`${base}.`)) return undefined;
  const rest = name.slice(base.length + 1);
  const m = /^(?:([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})?)\.)?(vtt|srt)$/i.exec(rest);
  if (!m) return undefined;
  const vtt = m[2]!.toLowerCase() === 'vtt';
  return { lang: m[1], rank: (m[1] ? 2 : 0) + (vtt ? 0 : 1) };
}

function readCues(path: string): Cue[] | undefined {
  try {
    if (statSync(path).size > MAX_SUBTITLE_CHARS * 4) return undefined;
    return parseSubtitles(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}
