// Which subtitle cues are on screen at a media time: a cue shows from the first frame at or after its start until the first at or after its end.

/** One subtitle cue on the video's presentation timeline (seconds). `end` is Infinity while a cue is open (T.140: until the next unit). */
export interface Cue {
  start: number;
  end: number;
  text: string;
}

/** Cues kept at most: a long live session's old cues go first. */
const MAX_CUES = 5000;

/**
 * The cues of one subtitle track, sorted by start. `textAt(t)` is what the overlay shows for the
 * frame whose presentation time is `t`: the text of every cue with start <= t < end, in start
 * order, joined by line breaks ('' for none).
 */
export class CueSchedule {
  private cues: Cue[] = [];

  get size(): number {
    return this.cues.length;
  }

  /** Adds cues (duplicates of one already held, same start, end and text, are ignored). */
  add(cues: Iterable<Cue>): void {
    let changed = false;
    for (const c of cues) {
      if (!(Number.isFinite(c.start) && c.end > c.start)) continue; // a malformed cue never shows
      if (this.cues.some((k) => k.start === c.start && k.end === c.end && k.text === c.text)) continue;
      this.cues.push({ start: c.start, end: c.end, text: c.text });
      changed = true;
    }
    if (!changed) return;
    this.cues.sort((a, b) => a.start - b.start);
    if (this.cues.length > MAX_CUES) this.cues.splice(0, this.cues.length - MAX_CUES);
  }

  /** Replaces every cue (a track whose list was read again in full). */
  replace(cues: Iterable<Cue>): void {
    this.cues = [];
    this.add(cues);
  }

  /** Ends at `at` every open cue (end Infinity) that started before it. */
  closeOpen(at: number): void {
    for (const c of this.cues) if (c.end === Infinity && c.start < at) c.end = at;
  }

  clear(): void {
    this.cues = [];
  }

  textAt(t: number): string {
    const out: string[] = [];
    // Cues start in order: stop at the first that has not started yet.
    for (const c of this.cues) {
      if (c.start > t) break;
      if (t < c.end) out.push(c.text);
    }
    return out.join('\n');
  }
}

/**
 * Cues of a stream of timed text units (T.140: each unit is a cue from its time until the next
 * unit; an empty one only ends the cue before it). `at` is the unit's time on the media clock.
 */
export class OpenCueBuilder {
  constructor(private readonly schedule: CueSchedule) {}

  push(at: number, text: string): void {
    if (!Number.isFinite(at)) return;
    this.schedule.closeOpen(at);
    if (text !== '') this.schedule.add([{ start: at, end: Infinity, text }]);
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', nbsp: '\u00a0', lrm: '\u200e', rlm: '\u200f' };

/** A WebVTT cue's text without its markup (<i>, <c.x>, <v Name>, timestamps) and with its entities decoded. */
export function webvttPlainText(raw: string): string {
  return raw.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|nbsp|lrm|rlm);/g, (_m, e: string) => ENTITIES[e] ?? '');
}
