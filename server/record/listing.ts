// Which recordings exist: the segment files under each recordPath template, grouped by path, and their spans.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { recordPathParser, recordRoot } from './path-template.js';
import { segmentInfo } from './segment-info.js';

/** Files a scan looks at, at most (a runaway directory cannot stall the server). */
const MAX_FILES = 200_000;
const MAX_DEPTH = 12;

export interface SegmentFileRef {
  path: string;
  file: string;
  /** The time the file's name gives, when the template names files by time. */
  timeMs?: number;
}

/** Segment files by container: fMP4, MPEG-TS. */
const EXT = /\.(mp4|ts)$/;

/** Every segment file of the templates (.mp4, .ts), with the path it records. */
export async function scanSegments(templates: string[]): Promise<SegmentFileRef[]> {
  const out: SegmentFileRef[] = [];
  const seen = new Set<string>();
  for (const t of new Set(templates)) {
    const parse = recordPathParser(t);
    const walk = async (dir: string, depth: number): Promise<void> => {
      if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        const full = join(dir, e.name);
        if (e.isDirectory()) await walk(full, depth + 1);
        else if (e.isFile() && EXT.test(e.name) && !seen.has(full)) {
          const parsed = parse(full.replace(EXT, ''));
          if (parsed !== undefined) {
            seen.add(full);
            out.push({ path: parsed.path, file: full, ...(parsed.timeMs !== undefined ? { timeMs: parsed.timeMs } : {}) });
          }
        }
      }
    };
    await walk(recordRoot(t), 0);
  }
  return out;
}

export interface SegmentRecord {
  file: string;
  /** RFC 3339. */
  start: string;
  /** Seconds. */
  duration: number;
  size: number;
}

export interface SpanRecord {
  start: string;
  end: string;
  duration: number;
}

/** The segments of one path, oldest first, and the continuous spans they make. */
export async function pathRecordings(templates: string[], path: string, joinGapSec: number): Promise<{ segments: SegmentRecord[]; spans: SpanRecord[] }> {
  const files = (await scanSegments(templates)).filter((f) => f.path === path);
  const infos = await Promise.all(files.map(async (f) => ({ f, info: await segmentInfo(f.file, f.timeMs).catch(() => undefined) })));
  const segs = infos
    .filter((x) => x.info !== undefined)
    .map((x) => ({ file: x.f.file, startMs: x.info!.startMs, duration: x.info!.duration, size: x.info!.size }))
    .sort((a, b) => a.startMs - b.startMs);
  return {
    segments: segs.map((s) => ({ file: s.file, start: new Date(s.startMs).toISOString(), duration: round(s.duration), size: s.size })),
    spans: spansOf(segs, joinGapSec),
  };
}

/** Segments whose start is within `joinGapSec` of the previous end join one span. */
export function spansOf(segs: { startMs: number; duration: number }[], joinGapSec: number): SpanRecord[] {
  const spans: { s: number; e: number }[] = [];
  for (const g of segs) {
    const end = g.startMs + g.duration * 1000;
    const last = spans[spans.length - 1];
    if (last && g.startMs - last.e <= joinGapSec * 1000) last.e = Math.max(last.e, end);
    else spans.push({ s: g.startMs, e: end });
  }
  return spans.map((x) => ({ start: new Date(x.s).toISOString(), end: new Date(x.e).toISOString(), duration: round((x.e - x.s) / 1000) }));
}

const round = (n: number): number => Math.round(n * 1000) / 1000;
