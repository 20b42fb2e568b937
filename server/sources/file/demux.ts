// Demuxes a media file (MP4/MOV, MKV/WebM, MPEG-TS) with mediabunny into Tracks and AccessUnits held in memory.
import {
  ALL_FORMATS,
  EncodedPacketSink,
  FilePathSource,
  Input,
  MatroskaInputFormat,
  type InputTrack,
} from 'mediabunny';
import type { AccessUnit, CodecName, Track } from '../../core/media.js';

export interface MediaFile {
  path: string;
  /** Supported tracks only; `tracks[i].id === i`. */
  tracks: Track[];
  /**
   * Per track, in decode order. pts/dts/duration are integers in the track's clock units.
   * pts is shifted so the first video key frame is at 0 (audio before it is dropped); without
   * video, the earliest pts is 0. dts <= pts always, so with B-frames the first few video dts are negative
   * (down to minus the reorder delay, e.g. -3000 for one B-frame at 30 fps).
   */
  units: AccessUnit[][];
  /** Seconds: the latest unit end over all tracks. */
  duration: number;
  /** Total AU payload bytes held (sum of all data arrays). */
  bytes: number;
  /** Seconds of file time that became pts 0 (e.g. 1.4 for a typical ffmpeg MPEG-TS). */
  startTime: number;
}

export interface LoadOptions {
  /** Abort (throw) once the AU payload exceeds this, so a huge file never fills memory. */
  maxBytes?: number;
}

const SUPPORTED = 'H.264 (avc), H.265 (hevc), AAC, Opus, G.711 (ulaw, alaw)';

const CODECS: Record<string, CodecName> = {
  avc: 'H264',
  hevc: 'H265',
  aac: 'AAC',
  opus: 'OPUS',
  ulaw: 'PCMU',
  alaw: 'PCMA',
};

/** One track's packets in decode order, times still in seconds. */
interface RawUnit {
  pts: number;
  dur: number;
  key: boolean;
  data: Uint8Array[];
}

export async function loadMediaFile(path: string, opts: LoadOptions = {}): Promise<MediaFile> {
  const input = new Input({ formats: ALL_FORMATS, source: new FilePathSource(path) });
  try {
    let format;
    try {
      format = await input.getFormat();
    } catch (err) {
      throw new Error(
        `${path}: not a media file that can be read (MP4/MOV, MKV/WebM, MPEG-TS, Ogg, WAV are supported): ${(err as Error).message}`,
      );
    }
    const isMatroska = format instanceof MatroskaInputFormat;
    const inputTracks = await input.getTracks();
    const found: string[] = [];
    const picked: { it: InputTrack; codec: CodecName }[] = [];
    for (const it of inputTracks) {
      const name = it.codec ?? 'unknown';
      found.push(`${name} (${it.type})`);
      const codec = CODECS[name];
      if (codec && (it.type === 'video' || it.type === 'audio')) picked.push({ it, codec });
    }
    if (picked.length === 0) {
      throw new Error(
        `${path}: no supported track; found ${found.length ? found.join(', ') : 'no tracks'}; supported are ${SUPPORTED}`,
      );
    }

    const tracks: Track[] = [];
    const raws: RawUnit[][] = [];
    let bytes = 0;
    const budget = opts.maxBytes ?? Infinity;
    const account = (n: number): void => {
      bytes += n;
      if (bytes > budget) {
        throw new Error(`${path}: access units exceed the cache limit of ${budget} bytes; raise the limit or use a smaller file`);
      }
    };

    for (const { it, codec } of picked) {
      const id = tracks.length;
      const { track, raw } = await readTrack(it, codec, id, isMatroska, account);
      tracks.push(track);
      raws.push(raw);
    }

    // Common zero (npt 0): the first video key frame, so that npt N is what the picture's clock
    // shows and `Range: npt=10-` lands on a key frame at 10 s, not at 8 s plus a priming offset.
    // Audio before it (AAC/Opus encoder priming: -1024 samples in an MP4 edit list; MPEG-TS starts
    // near 1.4 s for both) is dropped below. Without video, the earliest pts over all tracks.
    let start = Infinity;
    tracks.forEach((t, i) => {
      if (t.kind !== 'video') return;
      for (const u of raws[i]!) if (u.key && u.pts < start) start = u.pts;
    });
    if (!Number.isFinite(start)) for (const raw of raws) for (const u of raw) if (u.pts < start) start = u.pts;
    if (!Number.isFinite(start)) start = 0;

    const units: AccessUnit[][] = [];
    let duration = 0;
    for (let i = 0; i < tracks.length; i++) {
      const track = tracks[i]!;
      const list = track.kind === 'video' ? videoUnits(raws[i]!, start, track.clockRate) : audioUnits(raws[i]!, start, track).filter((u) => u.pts >= 0);
      units.push(list);
      if (track.kind === 'audio') bytes -= dropped(raws[i]!, list);
      for (const u of list) duration = Math.max(duration, (u.pts + u.duration) / track.clockRate);
    }
    return { path, tracks, units, duration, bytes, startTime: start };
  } finally {
    input.dispose();
  }
}

async function readTrack(
  it: InputTrack,
  codec: CodecName,
  id: number,
  isMatroska: boolean,
  account: (n: number) => void,
): Promise<{ track: Track; raw: RawUnit[] }> {
  const config = it.isVideoTrack() ? await it.getDecoderConfig() : it.isAudioTrack() ? await it.getDecoderConfig() : null;
  const desc = config?.description ? toBytes(config.description) : null;
  const raw: RawUnit[] = [];
  const sink = new EncodedPacketSink(it);

  if (it.isVideoTrack()) {
    const track: Track = {
      id,
      kind: 'video',
      codec,
      clockRate: 90000,
      width: it.codedWidth,
      height: it.codedHeight,
      payloadType: 96 + id,
    };
    const h265 = codec === 'H265';
    const cfg = desc ? (h265 ? parseHvcc(desc) : parseAvcc(desc)) : null;
    const ps = { vps: cfg?.vps ?? [], sps: cfg?.sps ?? [], pps: cfg?.pps ?? [] };
    const fromConfig = ps.sps.length > 0 && ps.pps.length > 0;
    for await (const p of sink.packets()) {
      const nals = splitNals(copy(p.data), cfg?.lengthSize ?? 4).filter((n) => !isAud(n, h265));
      if (nals.length === 0) continue;
      // MPEG-TS carries no decoder config: take the first in-band parameter sets instead.
      if (!fromConfig) collectParamSets(nals, h265, ps);
      for (const n of nals) account(n.byteLength);
      raw.push({ pts: p.timestamp, dur: p.duration, key: p.type === 'key', data: nals });
    }
    if (ps.sps.length === 0 || ps.pps.length === 0 || (h265 && ps.vps.length === 0)) {
      throw new Error(`track ${it.id}: ${codec} without parameter sets in the decoder config or the bitstream`);
    }
    if (h265) track.h265 = { vps: ps.vps, sps: ps.sps, pps: ps.pps };
    else track.h264 = { sps: ps.sps, pps: ps.pps };
    return { track, raw };
  }

  if (!it.isAudioTrack()) throw new Error(`track ${it.id}: neither video nor audio`);
  const sampleRate = it.sampleRate;
  const channels = it.numberOfChannels;
  let clockRate = sampleRate;
  let payloadType = 96 + id;
  if (codec === 'OPUS') clockRate = 48000; // RFC 7587 section 4.1: always 48000
  if ((codec === 'PCMU' || codec === 'PCMA') && sampleRate === 8000 && channels === 1) {
    payloadType = codec === 'PCMU' ? 0 : 8; // RFC 3551 static types are 8 kHz mono only
  }
  const track: Track = { id, kind: 'audio', codec, clockRate, channels, sampleRate, payloadType };

  // mediabunny's Matroska demuxer ignores CodecDelay; Ogg/MP4 apply pre-skip/edit lists. Subtract
  // the Opus pre-skip (which encoders write equal to CodecDelay) so the first decoded non-priming
  // sample lands at its true time, as it does for the other containers.
  let shift = 0;
  if (codec === 'OPUS' && isMatroska && desc && desc.byteLength >= 12) {
    shift = (desc[10]! | (desc[11]! << 8)) / 48000;
  }

  let asc = codec === 'AAC' ? desc : null;
  for await (const p of sink.packets()) {
    let frame = copy(p.data);
    if (codec === 'AAC' && isAdts(frame)) {
      // MPEG-TS (and raw .aac) packets carry ADTS headers; RTP and MP4 want the raw block.
      asc ??= adtsToAsc(frame);
      frame = frame.subarray((frame[1]! & 1) === 1 ? 7 : 9);
    }
    if (frame.byteLength === 0) continue;
    account(frame.byteLength);
    if (codec === 'PCMU' || codec === 'PCMA') {
      // MOV/WAV hand out whole chunks (up to seconds of samples); cut them into the 20 ms frames
      // RTP senders use (RFC 3551 section 4.5: default packetization interval 20 ms).
      const step = Math.max(1, Math.round(sampleRate / 50)) * Math.max(1, channels);
      for (let o = 0; o < frame.byteLength; o += step) {
        const part = frame.subarray(o, Math.min(o + step, frame.byteLength));
        const t = o / Math.max(1, channels) / sampleRate;
        raw.push({ pts: p.timestamp + t, dur: part.byteLength / Math.max(1, channels) / sampleRate, key: true, data: [part] });
      }
      continue;
    }
    raw.push({ pts: p.timestamp - shift, dur: p.duration, key: true, data: [frame] });
  }
  if (codec === 'AAC') {
    if (!asc) throw new Error(`track ${it.id}: AAC without an AudioSpecificConfig or ADTS headers`);
    track.aac = { asc };
  }
  return { track, raw };
}

function videoUnits(raw: RawUnit[], start: number, clock: number): AccessUnit[] {
  const pts = raw.map((u) => Math.round((u.pts - start) * clock));
  // mediabunny exposes only presentation time. Packets come in decode order, so the sorted pts
  // sequence handed out in that order is a valid dts; shift it by the reorder delay so dts <= pts.
  const sorted = [...pts].sort((x, y) => x - y);
  let delay = 0;
  for (let i = 0; i < pts.length; i++) delay = Math.max(delay, sorted[i]! - pts[i]!);
  return raw.map((u, i) => ({
    pts: pts[i]!,
    dts: sorted[i]! - delay,
    duration: Math.max(0, Math.round(u.dur * clock)),
    key: u.key,
    data: u.data,
  }));
}

function audioUnits(raw: RawUnit[], start: number, track: Track): AccessUnit[] {
  const clock = track.clockRate;
  const out: AccessUnit[] = [];
  // Matroska stores milliseconds, so 20 ms Opus frames come out as 1008/960/1008... ticks; snap a
  // unit to the previous end when it is within 1 ms of it, keeping real gaps as they are.
  const slack = Math.max(2, Math.ceil(clock / 1000));
  for (const u of raw) {
    const frame = u.data[0]!;
    const nominal = frameSamples(track, frame) ?? Math.round(u.dur * clock);
    let pts = Math.round((u.pts - start) * clock);
    const prev = out[out.length - 1];
    if (prev) {
      const expected = prev.pts + prev.duration;
      if (Math.abs(pts - expected) <= slack) pts = expected;
    }
    out.push({ pts, dts: pts, duration: nominal, key: true, data: u.data });
  }
  return out;
}

/** Samples (clock units) in one audio frame when the codec fixes it, else null (use the container's). */
function frameSamples(track: Track, frame: Uint8Array): number | null {
  switch (track.codec) {
    case 'OPUS':
      return opusSamples(frame);
    case 'PCMU':
    case 'PCMA':
      return Math.floor(frame.byteLength / (track.channels ?? 1));
    case 'AAC': {
      const asc = track.aac?.asc;
      if (!asc || asc.byteLength < 2) return null;
      const aot = asc[0]! >> 3;
      const sfi = ((asc[0]! & 7) << 1) | (asc[1]! >> 7);
      // Plain AAC object types with a table sample rate: GASpecificConfig frameLengthFlag (14496-3 4.4.1).
      if (aot >= 1 && aot <= 4 && sfi !== 15) return (asc[1]! & 0x04) !== 0 ? 960 : 1024;
      return null; // HE-AAC, escapes: trust the container
    }
    default:
      return null;
  }
}

/** RFC 6716 section 3.1: samples at 48 kHz from the TOC byte and frame count. */
function opusSamples(p: Uint8Array): number | null {
  if (p.byteLength < 1) return null;
  const toc = p[0]!;
  const config = toc >> 3;
  let per: number;
  if (config < 12) per = [480, 960, 1920, 2880][config & 3]!;
  else if (config < 16) per = (config & 1) === 0 ? 480 : 960;
  else per = [120, 240, 480, 960][config & 3]!;
  const c = toc & 3;
  const frames = c === 0 ? 1 : c === 3 ? (p.byteLength > 1 ? p[1]! & 0x3f : 0) : 2;
  if (frames === 0) return null;
  return per * frames;
}

// --- bitstream helpers --------------------------------------------------------------------------

function toBytes(d: AllowSharedBufferSource): Uint8Array {
  if (d instanceof Uint8Array) return d.slice();
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice();
  return new Uint8Array(d as ArrayBuffer).slice();
}

/** Own copy so held NALs do not pin mediabunny's read buffers. */
function copy(d: Uint8Array): Uint8Array {
  return d.slice();
}

interface ParamSets {
  lengthSize: number;
  vps?: Uint8Array[];
  sps: Uint8Array[];
  pps: Uint8Array[];
}

/** ISO 14496-15 5.3.3.1 AVCDecoderConfigurationRecord. */
export function parseAvcc(b: Uint8Array): ParamSets | null {
  if (b.byteLength < 7 || b[0] !== 1) return null;
  const lengthSize = (b[4]! & 3) + 1;
  const sps: Uint8Array[] = [];
  const pps: Uint8Array[] = [];
  let o = 5;
  const nSps = b[o++]! & 0x1f;
  for (let i = 0; i < nSps && o + 2 <= b.byteLength; i++) {
    const len = (b[o]! << 8) | b[o + 1]!;
    o += 2;
    sps.push(b.slice(o, o + len));
    o += len;
  }
  if (o < b.byteLength) {
    const nPps = b[o++]!;
    for (let i = 0; i < nPps && o + 2 <= b.byteLength; i++) {
      const len = (b[o]! << 8) | b[o + 1]!;
      o += 2;
      pps.push(b.slice(o, o + len));
      o += len;
    }
  }
  return { lengthSize, sps, pps };
}

/** ISO 14496-15 8.3.3.1 HEVCDecoderConfigurationRecord. */
export function parseHvcc(b: Uint8Array): ParamSets | null {
  if (b.byteLength < 23) return null;
  const lengthSize = (b[21]! & 3) + 1;
  const vps: Uint8Array[] = [];
  const sps: Uint8Array[] = [];
  const pps: Uint8Array[] = [];
  let o = 22;
  const nArrays = b[o++]!;
  for (let a = 0; a < nArrays && o + 3 <= b.byteLength; a++) {
    const type = b[o]! & 0x3f;
    const n = (b[o + 1]! << 8) | b[o + 2]!;
    o += 3;
    for (let i = 0; i < n && o + 2 <= b.byteLength; i++) {
      const len = (b[o]! << 8) | b[o + 1]!;
      o += 2;
      const nal = b.slice(o, o + len);
      o += len;
      if (type === 32) vps.push(nal);
      else if (type === 33) sps.push(nal);
      else if (type === 34) pps.push(nal);
    }
  }
  return { lengthSize, vps, sps, pps };
}

/**
 * NAL units of one packet without prefixes. Length-prefixed (MP4/MKV) when the lengths tile the
 * packet exactly, otherwise Annex B (MPEG-TS): split at 00 00 01 and drop trailing zero bytes.
 */
export function splitNals(d: Uint8Array, lengthSize: number): Uint8Array[] {
  const lp = splitLengthPrefixed(d, lengthSize);
  if (lp) return lp;
  return splitAnnexB(d);
}

function splitLengthPrefixed(d: Uint8Array, size: number): Uint8Array[] | null {
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < d.byteLength) {
    if (o + size > d.byteLength) return null;
    let len = 0;
    for (let i = 0; i < size; i++) len = len * 256 + d[o + i]!;
    o += size;
    if (len === 0 || o + len > d.byteLength) return null;
    out.push(d.subarray(o, o + len));
    o += len;
  }
  return out.length > 0 ? out : null;
}

export function splitAnnexB(d: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const n = d.byteLength;
  let start = -1;
  let i = 0;
  const push = (end: number): void => {
    while (end > start && d[end - 1] === 0) end--;
    if (end > start) out.push(d.subarray(start, end));
  };
  while (i + 2 < n) {
    if (d[i] === 0 && d[i + 1] === 0 && d[i + 2] === 1) {
      if (start >= 0) push(i);
      i += 3;
      start = i;
    } else {
      i++;
    }
  }
  if (start >= 0) push(n);
  else if (n > 0) out.push(d); // no start code at all: one bare NAL
  return out;
}

function isAud(nal: Uint8Array, h265: boolean): boolean {
  return h265 ? ((nal[0]! >> 1) & 0x3f) === 35 : (nal[0]! & 0x1f) === 9;
}

function collectParamSets(nals: Uint8Array[], h265: boolean, ps: { vps: Uint8Array[]; sps: Uint8Array[]; pps: Uint8Array[] }): void {
  for (const n of nals) {
    const t = h265 ? (n[0]! >> 1) & 0x3f : n[0]! & 0x1f;
    const list = h265
      ? t === 32 ? ps.vps : t === 33 ? ps.sps : t === 34 ? ps.pps : null
      : t === 7 ? ps.sps : t === 8 ? ps.pps : null;
    if (list && list.length === 0) list.push(n.slice());
  }
}

function isAdts(f: Uint8Array): boolean {
  return f.byteLength >= 7 && f[0] === 0xff && (f[1]! & 0xf6) === 0xf0;
}

/** ISO 14496-3 1.A.2.2 ADTS header -> 2-byte AudioSpecificConfig (object type = profile + 1). */
export function adtsToAsc(f: Uint8Array): Uint8Array {
  const aot = (f[2]! >> 6) + 1;
  const sfi = (f[2]! >> 2) & 0x0f;
  const ch = ((f[2]! & 1) << 2) | (f[3]! >> 6);
  return new Uint8Array([(aot << 3) | (sfi >> 1), ((sfi & 1) << 7) | (ch << 3)]);
}

/** Payload bytes of the raw units that did not make it into `kept` (audio before npt 0). */
function dropped(raw: { data: Uint8Array[] }[], kept: AccessUnit[]): number {
  const sum = (l: { data: Uint8Array[] }[]): number => l.reduce((n, u) => n + u.data.reduce((m, d) => m + d.byteLength, 0), 0);
  return sum(raw) - sum(kept);
}
