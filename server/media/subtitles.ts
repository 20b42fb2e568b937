// Timed text: WebVTT and SRT cue parsing (never throwing, bounded) and WebVTT documents for HLS subtitle segments.
// A leaf: runtime-neutral, imports nothing.

export interface Cue {
  /** Seconds on the media's timeline. */
  start: number;
  end: number;
  /** One or more lines, no blank line, no "-->". */
  text: string;
}

/** A file's subtitles in one language: from a sidecar file or a text track inside the container. */
export interface TextSource {
  /** Where they came from: the sidecar's file name, or `track <n>` of the container (logs and docs). */
  origin: string;
  /** ISO 639 code, when known. */
  language?: string;
  /** A menu label (EXT-X-MEDIA NAME): the language's name, the track's title, or "Subtitles". */
  name: string;
  /** In start order, in seconds on the media's timeline (npt). */
  cues: Cue[];
}

/** Cues kept per document; the rest are dropped. */
export const MAX_CUES = 20_000;
/** Characters kept per cue. */
export const MAX_CUE_TEXT = 2000;
/** Characters of input read. */
export const MAX_SUBTITLE_CHARS = 4_000_000;

/** `hh:mm:ss.ttt`, `mm:ss.ttt` (WebVTT) or `hh:mm:ss,ttt` (SRT); the fraction may have 1-3 digits. */
const TIME = /^(?:(\d{1,4}):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$/;

/** Seconds of a cue timestamp, or undefined when it is not one. */
export function parseTimestamp(s: string): number | undefined {
  const m = TIME.exec(s.trim());
  if (!m) return undefined;
  const min = Number(m[2]);
  const sec = Number(m[3]);
  if (min > 59 || sec > 59) return undefined;
  const frac = m[4] ? Number(m[4].padEnd(3, '0')) / 1000 : 0;
  return Number(m[1] ?? 0) * 3600 + min * 60 + sec + frac;
}

/**
 * The cues of a WebVTT or SRT document, in start order. Malformed blocks (no timing line, a bad
 * timestamp, an end before the start) are dropped; NOTE, STYLE and REGION blocks are skipped.
 */
export function parseSubtitles(input: string): Cue[] {
  const text = input.slice(0, MAX_SUBTITLE_CHARS).replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const cues: Cue[] = [];
  for (const block of text.split(/\n[ \t]*\n/)) {
    if (cues.length >= MAX_CUES) break;
    const cue = parseBlock(block);
    if (cue) cues.push(cue);
  }
  return cues.sort((a, b) => a.start - b.start || a.end - b.end);
}

function parseBlock(block: string): Cue | undefined {
  const lines = block.split('\n').filter((l) => l.trim() !== '');
  // The timing line is the first or (after an identifier or SRT counter) the second line.
  const at = lines.slice(0, 2).findIndex((l) => l.includes('-->'));
  if (at < 0) return undefined;
  const [from, rest = ''] = lines[at]!.split('-->', 2);
  // WebVTT cue settings follow the end time after white space.
  const to = rest.trim().split(/[ \t]+/)[0] ?? '';
  const start = parseTimestamp(from!);
  const end = parseTimestamp(to);
  if (start === undefined || end === undefined || end < start) return undefined;
  const body = cleanText(lines.slice(at + 1).join('\n'));
  return body === '' ? undefined : { start, end, text: body };
}

/** Cue text safe inside a WebVTT document: no "-->", no blank line, bounded. */
export function cleanText(s: string): string {
  return s
    .slice(0, MAX_CUE_TEXT)
    .replace(/\r\n?/g, '\n')
    .replace(/-->/g, '->')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '')
    .join('\n')
    .trim();
}

/** `hh:mm:ss.ttt` */
export function formatTimestamp(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/**
 * A WebVTT document of `cues` (times unchanged). `mpegts`, when given, adds the HLS header
 * `X-TIMESTAMP-MAP=MPEGTS:<mpegts>,LOCAL:00:00:00.000` (RFC 8216bis 3.1.4): local time 0 is that 90 kHz media time.
 */
export function formatWebVtt(cues: readonly Cue[], mpegts?: number): string {
  const out = ['WEBVTT'];
  if (mpegts !== undefined) out.push(`X-TIMESTAMP-MAP=MPEGTS:${Math.max(0, Math.round(mpegts))},LOCAL:00:00:00.000`);
  out.push('');
  for (const c of cues) out.push(`${formatTimestamp(c.start)} --> ${formatTimestamp(c.end)}`, cleanText(c.text), '');
  return out.join('\n');
}

/** The cues that show during [from, to): what one subtitle segment of that span lists. */
export function cuesBetween(cues: readonly Cue[], from: number, to: number): Cue[] {
  return cues.filter((c) => c.start < to && c.end > from);
}
