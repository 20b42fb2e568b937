// Text tracks inside Matroska/WebM (S_TEXT/UTF8 SubRip, S_TEXT/WEBVTT or D_WEBVTT, S_TEXT/ASS|SSA as plain text): a bounded EBML scan that reads only their blocks.
import { cleanLanguage, languageName } from '../../../media/language.js';
import type { TextSource } from '../../../media/subtitles.js';
import type { ByteSource } from './byte-source.js';
import { assText, decodeText, finishCues, MAX_SAMPLE_BYTES, pushCue, type RawCue } from './cue-list.js';

const ID = {
  EBML: 0x1a45dfa3,
  SEGMENT: 0x18538067,
  INFO: 0x1549a966,
  TIMESCALE: 0x2ad7b1,
  TRACKS: 0x1654ae6b,
  TRACK_ENTRY: 0xae,
  TRACK_NUMBER: 0xd7,
  CODEC_ID: 0x86,
  NAME: 0x536e,
  LANGUAGE: 0x22b59c,
  LANGUAGE_BCP47: 0x22b59d,
  CONTENT_ENCODINGS: 0x6d80,
  CLUSTER: 0x1f43b675,
  TIMECODE: 0xe7,
  SIMPLE_BLOCK: 0xa3,
  BLOCK_GROUP: 0xa0,
  BLOCK: 0xa1,
  BLOCK_DURATION: 0x9b,
} as const;

/** D_WEBVTT/*: the WebVTT codec IDs ffmpeg and older muxers write. */
const CODECS = new Set(['S_TEXT/UTF8', 'S_TEXT/WEBVTT', 'S_TEXT/ASS', 'S_TEXT/SSA', 'D_WEBVTT/SUBTITLES', 'D_WEBVTT/CAPTIONS', 'D_WEBVTT/DESCRIPTIONS']);
/** Bytes of Info or Tracks read at once; larger ones are skipped. */
const MAX_HEADER_ELEMENT = 1 << 20;
/** Elements visited per file: a guard on top of the scan always moving forward. */
const MAX_ELEMENTS = 50_000_000;

interface Header {
  id: number;
  /** -1: unknown size (extends to its parent's end). */
  size: number;
  data: number;
}

interface TextTrack {
  number: number;
  codec: string;
  language?: string;
  name?: string;
  raw: RawCue[];
}

/** A variable-length integer at `p`: its value (the marker bit kept for IDs) and length, or undefined. */
function vint(b: Uint8Array, p: number, keepMarker: boolean): { value: number; len: number; allOnes: boolean } | undefined {
  const first = b[p];
  if (first === undefined || first === 0) return undefined;
  const len = Math.clz32(first) - 23;
  if (len > 8 || p + len > b.length || (keepMarker && len > 4)) return undefined;
  let value = keepMarker ? first : first & (0xff >> len);
  let allOnes = value === 0xff >> len;
  for (let i = 1; i < len; i++) {
    value = value * 256 + b[p + i]!;
    if (b[p + i] !== 0xff) allOnes = false;
  }
  return { value, len, allOnes };
}

async function header(src: ByteSource, pos: number): Promise<Header | undefined> {
  const b = await src.read(pos, 12);
  const id = vint(b, 0, true);
  const size = id && vint(b, id.len, false);
  if (!id || !size) return undefined;
  return { id: id.value, size: size.allOnes ? -1 : size.value, data: pos + id.len + size.len };
}

/** The children of an element held in memory (Info, Tracks, a TrackEntry). */
function* children(b: Uint8Array): Generator<{ id: number; body: Uint8Array }> {
  let p = 0;
  while (p < b.length) {
    const id = vint(b, p, true);
    const size = id && vint(b, p + id.len, false);
    if (!id || !size || size.allOnes) return;
    const start = p + id.len + size.len;
    yield { id: id.value, body: b.subarray(start, Math.min(b.length, start + size.value)) };
    p = start + size.value;
  }
}

const uint = (b: Uint8Array): number => b.reduce((v, x) => v * 256 + x, 0);
const str = (b: Uint8Array): string => decodeText(b).replace(/\0+$/, '');

function parseTracks(b: Uint8Array): TextTrack[] {
  const out: TextTrack[] = [];
  for (const entry of children(b)) {
    if (entry.id !== ID.TRACK_ENTRY) continue;
    const t: Partial<TextTrack> & { encoded?: boolean; bcp47?: string } = { raw: [] };
    for (const c of children(entry.body)) {
      if (c.id === ID.TRACK_NUMBER) t.number = uint(c.body);
      else if (c.id === ID.CODEC_ID) t.codec = str(c.body);
      else if (c.id === ID.NAME) t.name = str(c.body).slice(0, 120);
      else if (c.id === ID.LANGUAGE) t.language = str(c.body);
      else if (c.id === ID.LANGUAGE_BCP47) t.bcp47 = str(c.body);
      // Compressed or encrypted blocks (header stripping, zlib) are not read.
      else if (c.id === ID.CONTENT_ENCODINGS) t.encoded = true;
    }
    if (t.number === undefined || !t.codec || !CODECS.has(t.codec) || t.encoded) continue;
    // The Matroska default of Language is "eng".
    out.push({ number: t.number, codec: t.codec, language: cleanLanguage(t.bcp47 ?? t.language ?? 'eng'), name: t.name || undefined, raw: [] });
  }
  return out;
}

interface ScanState {
  scale: number;
  tracks?: Map<number, TextTrack>;
  cluster: number;
}

/** A Block or SimpleBlock at `h`: a cue when it belongs to a text track and is not laced. */
async function readBlock(src: ByteSource, h: Header, end: number, st: ScanState, duration?: number): Promise<void> {
  const head = await src.read(h.data, 12);
  const track = vint(head, 0, false);
  if (!track || head.length < track.len + 3) return;
  const t = st.tracks?.get(track.value);
  if (!t || (head[track.len + 2]! & 0x06) !== 0) return;
  const rel = (((head[track.len]! << 8) | head[track.len + 1]!) << 16) >> 16;
  const from = h.data + track.len + 3;
  if (end - from > MAX_SAMPLE_BYTES || end <= from) return;
  const text = decodeText(await src.read(from, end - from));
  const start = ((st.cluster + rel) * st.scale) / 1e9;
  const end_ = duration === undefined ? undefined : start + (duration * st.scale) / 1e9;
  pushCue(t.raw, { start, end: end_, text: t.codec === 'S_TEXT/ASS' || t.codec === 'S_TEXT/SSA' ? assText(text) : text });
}

async function readGroup(src: ByteSource, h: Header, end: number, st: ScanState): Promise<void> {
  let block: { h: Header; end: number } | undefined;
  let duration: number | undefined;
  for (let p = h.data; p < end; ) {
    const c = await header(src, p);
    if (!c || c.size < 0) break;
    const cEnd = c.data + c.size;
    if (c.id === ID.BLOCK) block = { h: c, end: Math.min(cEnd, end) };
    else if (c.id === ID.BLOCK_DURATION && c.size <= 8) duration = uint(await src.read(c.data, c.size));
    p = cEnd;
  }
  if (block) await readBlock(src, block.h, block.end, st, duration);
}

/**
 * The text tracks of a Matroska file, in track order, with cue times shifted by `-shift` seconds;
 * [] when it is not Matroska, has no text track, or is unreadable. Only elements up to the first
 * Cluster are read unless a text track exists. Never throws on bad input (read errors propagate).
 */
export async function readMatroskaText(src: ByteSource, shift: number): Promise<TextSource[]> {
  const ebml = await header(src, 0);
  if (!ebml || ebml.id !== ID.EBML || ebml.size < 0) return [];
  const seg = await header(src, ebml.data + ebml.size);
  if (!seg || seg.id !== ID.SEGMENT) return [];
  const segEnd = seg.size < 0 ? src.size : Math.min(src.size, seg.data + seg.size);
  const st: ScanState = { scale: 1_000_000, cluster: 0 };
  let pos = seg.data;
  for (let n = 0; pos < segEnd && n < MAX_ELEMENTS; n++) {
    const h = await header(src, pos);
    if (!h) break;
    // Clusters (of known or unknown size) are entered: their children follow in place.
    if (h.id === ID.CLUSTER) {
      if (!st.tracks) return [];
      pos = h.data;
      continue;
    }
    if (h.size < 0) break;
    const end = Math.min(segEnd, h.data + h.size);
    if (h.id === ID.INFO && h.size <= MAX_HEADER_ELEMENT) {
      for (const c of children(await src.read(h.data, h.size))) if (c.id === ID.TIMESCALE && c.body.length <= 8) st.scale = uint(c.body) || 1_000_000;
    } else if (h.id === ID.TRACKS && h.size <= MAX_HEADER_ELEMENT && !st.tracks) {
      const tracks = parseTracks(await src.read(h.data, h.size));
      if (tracks.length === 0) return [];
      st.tracks = new Map(tracks.map((t) => [t.number, t]));
    } else if (h.id === ID.TIMECODE && h.size <= 8) st.cluster = uint(await src.read(h.data, h.size));
    else if (h.id === ID.SIMPLE_BLOCK) await readBlock(src, h, end, st);
    else if (h.id === ID.BLOCK_GROUP) await readGroup(src, h, end, st);
    if (h.data + h.size <= pos) break;
    pos = h.data + h.size;
  }
  return [...(st.tracks?.values() ?? [])].map((t) => ({
    origin: `track ${t.number}`,
    language: t.language,
    name: t.name ?? (t.language ? languageName(t.language) : 'Subtitles'),
    cues: finishCues(t.raw, shift),
  }));
}
