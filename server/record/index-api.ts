// What the HTTP API needs of the recordings: the templates to scan and the part duration that joins spans.
import { pathRecordings, scanSegments, type SegmentRecord, type SpanRecord } from './listing.js';

export interface RecordingIndex {
  templates(): { template: string }[];
  /** The path's recordPartDuration in seconds. */
  partDurationOf(path: string): number;
}

/** GET /api/v1/recordings: the paths with at least one segment on disk. */
export async function recordedPaths(index: RecordingIndex): Promise<{ name: string; segments: number }[]> {
  const counts = new Map<string, number>();
  for (const f of await scanSegments(index.templates().map((t) => t.template))) counts.set(f.path, (counts.get(f.path) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([name, segments]) => ({ name, segments }));
}

/**
 * GET /api/v1/recordings/<path>: segments and spans. Segments whose gap is under one part (plus a
 * frame's slack) join a span: `partSec` is the path's recordPartDuration.
 */
export async function recordingsOf(index: RecordingIndex, path: string, partSec: number): Promise<{ name: string; segments: SegmentRecord[]; spans: SpanRecord[] }> {
  return { name: path, ...(await pathRecordings(index.templates().map((t) => t.template), path, partSec + 0.1)) };
}
