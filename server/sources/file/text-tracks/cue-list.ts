// Cues as text tracks hold them (a start, maybe an end, raw text): collected per track, bounded, and finished into sorted WebVTT-safe Cues.
import { cleanText, MAX_CUE_TEXT, MAX_CUES, type Cue } from '../../../media/subtitles.js';

/** How long a cue shows when its track gives no end and no later cue follows. */
const DEFAULT_CUE_SECONDS = 4;
/** Bytes of one sample or block payload read as text; longer ones are dropped. */
export const MAX_SAMPLE_BYTES = 64 * 1024;

export interface RawCue {
  /** Seconds in the container's time (not yet shifted to npt). */
  start: number;
  /** Seconds, when the container says. */
  end?: number;
  text: string;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** UTF-8 text of a sample's bytes (malformed bytes become U+FFFD), at most the cue text limit. */
export function decodeText(bytes: Uint8Array): string {
  return decoder.decode(bytes.subarray(0, MAX_CUE_TEXT * 4));
}

/** Adds a cue unless the list is full or the cue is not a finite, non-negative time with text. */
export function pushCue(list: RawCue[], cue: RawCue): void {
  if (list.length >= MAX_CUES || !Number.isFinite(cue.start) || cue.start < -1e6) return;
  if (cue.end !== undefined && !(Number.isFinite(cue.end) && cue.end >= cue.start)) delete cue.end;
  list.push(cue);
}

const round = (s: number): number => Math.round(s * 1e6) / 1e6;

/**
 * Sorted cues shifted by `-shift` seconds (file time to npt): a cue without an end lasts until the
 * next one starts (at most DEFAULT_CUE_SECONDS); cues with empty text (a track's "clear") and cues that
 * end before npt 0 are dropped.
 */
export function finishCues(raw: RawCue[], shift: number): Cue[] {
  const sorted = [...raw].sort((a, b) => a.start - b.start);
  const out: Cue[] = [];
  sorted.forEach((c, i) => {
    const next = sorted[i + 1]?.start;
    const end = c.end ?? Math.min(c.start + DEFAULT_CUE_SECONDS, next !== undefined && next > c.start ? next : Infinity);
    const text = cleanText(c.text);
    // Microseconds: what subtracting the shift leaves past them is float noise (10.7 - 10).
    const start = Math.max(0, round(c.start - shift));
    const stop = round(end - shift);
    if (text === '' || stop <= 0 || !(stop >= start)) return;
    out.push({ start, end: stop, text });
  });
  return out;
}

/**
 * The text of an ASS/SSA event as Matroska stores it (`ReadOrder,Layer,Style,Name,MarginL,MarginR,
 * MarginV,Effect,Text`): the part after the eighth comma, override blocks `{...}` removed, `\N` a new line.
 */
export function assText(line: string): string {
  let at = 0;
  for (let i = 0; i < 8; i++) {
    const c = line.indexOf(',', at);
    if (c < 0) return '';
    at = c + 1;
  }
  return line
    .slice(at)
    .replace(/\{[^}]*\}/g, '')
    .replace(/\\[Nn]/g, '\n')
    .replace(/\\h/g, ' ');
}
