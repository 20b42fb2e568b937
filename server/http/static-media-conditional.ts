// Validators and conditional/range decisions for whole media files (RFC 9110 §8.8, §13, §14): pure, table-tested.

export interface FileVersion {
  size: number;
  /** Modification time in ms since the epoch. */
  mtimeMs: number;
}

export type ByteRange = { start: number; end: number };

/** What to answer: 304, 416, 206 with one range, or 200 with the whole file. */
export type StaticDecision =
  | { status: 304 }
  | { status: 416 }
  | { status: 206; range: ByteRange }
  | { status: 200 };

export interface ConditionalHeaders {
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  range?: string;
  ifRange?: string;
}

/** A strong ETag from size and mtime: the same file version gives the same tag on every server and restart. */
export function etagOf(v: FileVersion): string {
  return `"${v.size.toString(16)}-${Math.floor(v.mtimeMs).toString(16)}"`;
}

/** HTTP dates carry whole seconds: compare on that grain. */
export function lastModifiedOf(v: FileVersion): string {
  return new Date(Math.floor(v.mtimeMs / 1000) * 1000).toUTCString();
}

/** RFC 9110 §13.1.2: weak comparison; `*` matches any current representation. */
function noneMatchHits(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => bare(t) === bare(etag));
}

function notModifiedSince(header: string, v: FileVersion): boolean {
  const since = Date.parse(header);
  if (Number.isNaN(since)) return false;
  return Math.floor(v.mtimeMs / 1000) * 1000 <= since;
}

/**
 * One `bytes=` range (a list of several is answered with the whole file, as RFC 9110 §14.2 allows).
 * Returns undefined to ignore the header, null when no byte of it is in the file (416).
 */
export function parseRange(header: string, size: number): ByteRange | null | undefined {
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return undefined;
  const [, a, b] = m as unknown as [string, string, string];
  if (a === '' && b === '') return undefined;
  if (a === '') {
    // Suffix range: the last N bytes.
    const n = Number(b);
    if (n === 0) return null;
    return size === 0 ? null : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (b !== '' && Number(b) < start) return undefined;
  if (start >= size) return null;
  return { start, end };
}

/** RFC 9110 §13.2.2 order: If-None-Match (else If-Modified-Since), then Range guarded by If-Range. */
export function decideStatic(h: ConditionalHeaders, v: FileVersion): StaticDecision {
  const etag = etagOf(v);
  if (h.ifNoneMatch !== undefined) {
    if (noneMatchHits(h.ifNoneMatch, etag)) return { status: 304 };
  } else if (h.ifModifiedSince !== undefined && notModifiedSince(h.ifModifiedSince, v)) {
    return { status: 304 };
  }
  if (h.range === undefined) return { status: 200 };
  if (h.ifRange !== undefined && !ifRangeHolds(h.ifRange, v)) return { status: 200 };
  const range = parseRange(h.range, v.size);
  if (range === undefined) return { status: 200 };
  if (range === null) return { status: 416 };
  return { status: 206, range };
}

/** If-Range: a strong ETag must match exactly; a date must equal Last-Modified. */
function ifRangeHolds(header: string, v: FileVersion): boolean {
  const t = header.trim();
  if (t.startsWith('"') || t.startsWith('W/')) return t === etagOf(v);
  const d = Date.parse(t);
  return !Number.isNaN(d) && d === Math.floor(v.mtimeMs / 1000) * 1000;
}
