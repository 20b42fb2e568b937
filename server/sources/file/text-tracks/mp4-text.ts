// Text tracks inside MP4/MOV (3GPP timed text 'tx3g' as ffmpeg's mov_text writes it, WebVTT 'wvtt'): the sample tables of moov, then each sample's text.
import { cleanLanguage, languageName } from '../../../media/language.js';
import { MAX_CUES, type TextSource } from '../../../media/subtitles.js';
import { MAX_READ, type ByteSource } from './byte-source.js';
import { decodeText, finishCues, MAX_SAMPLE_BYTES, pushCue, type RawCue } from './cue-list.js';

/** Top-level boxes that start an MP4/MOV file. */
const FIRST_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot']);
/** Top-level boxes visited while looking for moov. */
const MAX_TOP_BOXES = 10_000;
/** Samples read per track: cues and the empty samples (gaps) between them. */
const MAX_SAMPLES = 2 * MAX_CUES + 2;

interface Box {
  type: string;
  body: Uint8Array;
}

const fourcc = (b: Uint8Array, p: number): string => String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!);

/** The boxes inside `b` (in memory); a box whose size is wrong ends the list. */
function boxes(b: Uint8Array, from = 0): Box[] {
  const out: Box[] = [];
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let p = from; p + 8 <= b.length; ) {
    let size = v.getUint32(p);
    let head = 8;
    if (size === 1 && p + 16 <= b.length) {
      size = v.getUint32(p + 8) * 2 ** 32 + v.getUint32(p + 12);
      head = 16;
    } else if (size === 0) size = b.length - p;
    if (size < head || p + size > b.length) break;
    out.push({ type: fourcc(b, p + 4), body: b.subarray(p + head, p + size) });
    p += size;
  }
  return out;
}

const child = (b: Uint8Array | undefined, type: string): Uint8Array | undefined => (b ? boxes(b).find((x) => x.type === type)?.body : undefined);
const path = (b: Uint8Array | undefined, ...types: string[]): Uint8Array | undefined => types.reduce((cur, t) => child(cur, t), b);
const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Full-box tables of u32 entries (`stts`, `stsc`, `stco`...): `width` words per entry after `skip` bytes; undefined when cut short. */
function table(b: Uint8Array | undefined, width: number, skip = 4, word = 4): number[][] | undefined {
  if (!b || b.length < skip + 4) return undefined;
  const v = view(b);
  const count = v.getUint32(skip);
  if (b.length < skip + 4 + count * width * word) return undefined;
  const out: number[][] = [];
  for (let i = 0, p = skip + 4; i < count; i++) {
    const row: number[] = [];
    for (let j = 0; j < width; j++, p += word) row.push(word === 8 ? v.getUint32(p) * 2 ** 32 + v.getUint32(p + 4) : v.getUint32(p));
    out.push(row);
  }
  return out;
}

interface Sample {
  offset: number;
  size: number;
  time: number;
  duration: number;
}

/** Each sample's place and decode time (in the track's timescale) from stts, stsc, stsz and stco/co64. */
function samples(stbl: Uint8Array): Sample[] {
  const stts = table(child(stbl, 'stts'), 2);
  const stsc = table(child(stbl, 'stsc'), 3);
  const stszBox = child(stbl, 'stsz');
  const co64 = child(stbl, 'co64');
  const chunks = (co64 ? table(co64, 1, 4, 8) : table(child(stbl, 'stco'), 1))?.map((r) => r[0]!);
  if (!stts || !stsc || !stszBox || stszBox.length < 12 || !chunks) return [];
  const fixed = view(stszBox).getUint32(4);
  const sizes = fixed === 0 ? table(stszBox, 1, 8)?.map((r) => r[0]!) : undefined;
  const count = Math.min(MAX_SAMPLES, fixed === 0 ? (sizes?.length ?? 0) : view(stszBox).getUint32(8));
  const times: { time: number; duration: number }[] = [];
  let t = 0;
  for (const [n, delta] of stts) {
    for (let i = 0; i < n! && times.length < count; i++, t += delta!) times.push({ time: t, duration: delta! });
  }
  const out: Sample[] = [];
  for (let c = 0, e = 0; c < chunks.length && out.length < count; c++) {
    while (e + 1 < stsc.length && stsc[e + 1]![0]! <= c + 1) e++;
    let offset = chunks[c]!;
    for (let i = 0; i < (stsc[e]?.[1] ?? 0) && out.length < count; i++) {
      const k = out.length;
      const size = sizes ? sizes[k]! : fixed;
      const when = times[k];
      if (!when) return out;
      out.push({ offset, size, ...when });
      offset += size;
    }
  }
  return out;
}

/** Seconds to add to a media time: the empty edits before the first, minus where that edit starts in the media. */
function editShift(trak: Uint8Array, movieScale: number, trackScale: number): number {
  const elst = path(trak, 'edts', 'elst');
  if (!elst || elst.length < 8) return 0;
  const v1 = elst[0] === 1;
  const rows = table(elst, v1 ? 5 : 3) ?? [];
  let delay = 0;
  for (const r of rows) {
    const segment = v1 ? r[0]! * 2 ** 32 + r[1]! : r[0]!;
    const media = v1 ? (r[2]! | 0) * 2 ** 32 + r[3]! : r[1]! | 0;
    if (media === -1) delay += segment / movieScale;
    else return delay - media / trackScale;
  }
  return delay;
}

/** The text of one sample: tx3g (u16 length, UTF-8) or wvtt (vttc boxes with payl); "" for an empty one. */
function sampleText(kind: string, b: Uint8Array): string {
  if (kind === 'tx3g') {
    if (b.length < 2) return '';
    const n = (b[0]! << 8) | b[1]!;
    return decodeText(b.subarray(2, 2 + n));
  }
  return boxes(b)
    .filter((x) => x.type === 'vttc')
    .map((x) => (child(x.body, 'payl') ? decodeText(child(x.body, 'payl')!) : ''))
    .join('\n');
}

interface TrakInfo {
  number: number;
  kind: string;
  scale: number;
  language?: string;
  name?: string;
  shift: number;
  table: Sample[];
}

function trakInfo(trak: Uint8Array, number: number, movieScale: number): TrakInfo | undefined {
  const hdlr = path(trak, 'mdia', 'hdlr');
  const handler = hdlr && hdlr.length >= 12 ? fourcc(hdlr, 8) : '';
  if (handler !== 'sbtl' && handler !== 'text' && handler !== 'subt') return undefined;
  const stbl = path(trak, 'mdia', 'minf', 'stbl');
  const stsd = child(stbl, 'stsd');
  const kind = stsd && stsd.length >= 16 ? fourcc(stsd, 12) : '';
  const mdhd = path(trak, 'mdia', 'mdhd');
  if (!stbl || (kind !== 'tx3g' && kind !== 'wvtt') || !mdhd || mdhd.length < 24) return undefined;
  const v1 = mdhd[0] === 1;
  if (v1 && mdhd.length < 36) return undefined;
  const scale = view(mdhd).getUint32(v1 ? 20 : 12);
  const packed = view(mdhd).getUint16(v1 ? 32 : 20);
  const code = String.fromCharCode(...[10, 5, 0].map((s) => ((packed >> s) & 0x1f) + 0x60));
  const udtaName = path(trak, 'udta', 'name');
  if (scale === 0) return undefined;
  return {
    number,
    kind,
    scale,
    language: cleanLanguage(code),
    name: udtaName ? decodeText(udtaName).replace(/\0+$/, '').slice(0, 120) || undefined : undefined,
    shift: editShift(trak, movieScale || scale, scale),
    table: samples(stbl),
  };
}

/** The moov box of the file, or undefined when the file is not MP4/MOV or has none. */
async function findMoov(src: ByteSource): Promise<Uint8Array | undefined> {
  let pos = 0;
  for (let n = 0; n < MAX_TOP_BOXES && pos + 8 <= src.size; n++) {
    const h = await src.read(pos, 16);
    if (h.length < 8) return undefined;
    const type = fourcc(h, 4);
    if (n === 0 && !FIRST_BOXES.has(type)) return undefined;
    let size = view(h).getUint32(0);
    let head = 8;
    if (size === 1 && h.length >= 16) [size, head] = [view(h).getUint32(8) * 2 ** 32 + view(h).getUint32(12), 16];
    else if (size === 0) size = src.size - pos;
    if (size < head) return undefined;
    if (type === 'moov') return size - head <= MAX_READ ? src.read(pos + head, size - head) : undefined;
    pos += size;
  }
  return undefined;
}

/**
 * The text tracks of an MP4/MOV file (sample tables in moov; fragments are not read), in track
 * order, cue times shifted by `-shift` seconds; [] when it has none. Never throws on bad input.
 */
export async function readMp4Text(src: ByteSource, shift: number): Promise<TextSource[]> {
  const moov = await findMoov(src);
  if (!moov) return [];
  const mvhd = child(moov, 'mvhd');
  const movieScale = mvhd && mvhd.length >= 20 ? view(mvhd).getUint32(mvhd[0] === 1 ? 20 : 12) : 0;
  const out: TextSource[] = [];
  let number = 0;
  for (const box of boxes(moov)) {
    if (box.type !== 'trak') continue;
    number++;
    const t = trakInfo(box.body, number, movieScale);
    if (!t) continue;
    const raw: RawCue[] = [];
    for (const s of t.table) {
      if (s.size === 0 || s.size > MAX_SAMPLE_BYTES) continue;
      const start = s.time / t.scale + t.shift;
      pushCue(raw, { start, end: start + s.duration / t.scale, text: sampleText(t.kind, await src.read(s.offset, s.size)) });
    }
    const language = t.language;
    out.push({ origin: `track ${t.number}`, language, name: t.name ?? (language ? languageName(language) : 'Subtitles'), cues: finishCues(raw, shift) });
  }
  return out;
}
