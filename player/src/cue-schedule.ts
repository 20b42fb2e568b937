// Which subtitle cues are on screen at a media time: a cue shows from the first frame at or after its start until the first at or after its end.

/** One subtitle cue on the video's presentation timeline (seconds). `end` is Infinity while a cue is open (T.140: until the next unit). */
export interface Cue {
  start: number;
  end: number;
  text: string;
}

/** Cues kept at most (the server's own bound per document): a long live session's old cues go first. */
const MAX_CUES = 20_000;

const keyOf = (c: Cue): string => `${c.start}|${c.end}|${c.text}`;

/**
 * The cues of one subtitle track, sorted by start. `textAt(t)` is what the overlay shows for the
 * frame whose presentation time is `t`: the text of every cue with start <= t < end, in start
 * order, joined by line breaks ('' for none).
 */
export class CueSchedule {
  private cues: Cue[] = [];
  private keys = new Set<string>();
  /** The longest cue (Infinity with an open one): how far back of `t` a cue can start and still show. */
  private longest = 0;

  get size(): number {
    return this.cues.length;
  }

  /** Adds cues (duplicates of one already held, same start, end and text, are ignored). */
  add(cues: Iterable<Cue>): void {
    let changed = false;
    for (const c of cues) {
      if (!(Number.isFinite(c.start) && c.end > c.start)) continue; // a malformed cue never shows
      const key = keyOf(c);
      if (this.keys.has(key)) continue;
      this.keys.add(key);
      this.cues.push({ start: c.start, end: c.end, text: c.text });
      this.longest = Math.max(this.longest, c.end - c.start);
      changed = true;
    }
    if (!changed) return;
    this.cues.sort((a, b) => a.start - b.start);
    if (this.cues.length > MAX_CUES) for (const c of this.cues.splice(0, this.cues.length - MAX_CUES)) this.keys.delete(keyOf(c));
  }

  /** Replaces every cue (a track whose list was read again in full). */
  replace(cues: Iterable<Cue>): void {
    this.clear();
    this.add(cues);
  }

  /** Ends at `at` every open cue (end Infinity) that started before it. */
  closeOpen(at: number): void {
    let open = false;
    for (const c of this.cues) {
      if (c.end !== Infinity) continue;
      if (c.start < at) {
        this.keys.delete(keyOf(c));
        c.end = at;
        this.keys.add(keyOf(c));
      } else open = true;
    }
    this.longest = open ? Infinity : this.cues.reduce((m, c) => Math.max(m, c.end - c.start), 0);
  }

  clear(): void {
    this.cues = [];
    this.keys.clear();
    this.longest = 0;
  }

  textAt(t: number): string {
    // The cues started by t (binary search on the start), back to the earliest that may still show.
    let lo = 0;
    let hi = this.cues.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cues[mid]!.start <= t) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo - 1; i >= 0; i--) {
      const c = this.cues[i]!;
      if (c.start < t - this.longest) break;
      if (t < c.end) out.push(c.text);
    }
    return out.reverse().join('\n');
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
