// MPEG-TS (ISO 13818-1) muxer for live and file streams: PAT/PMT before every key frame, PES per access unit, PCR on one PID.
// Synchronous and runtime-neutral: each access unit leaves as whole 188-byte packets at once.
import { concatBytes } from '../media/bytes.js';
import type { Track } from '../media/track.js';
import type { AccessUnit } from '../media/access-unit.js';
import { AAC_SAMPLE_RATES, parseAudioSpecificConfig } from '../rtp/codecs/aac.js';
import { parseMpaHeader } from '../rtp/codecs/mpa.js';

export const TS_PACKET = 188;
const PAT_PID = 0;
const PMT_PID = 0x1000;
const FIRST_PID = 0x100;
/** 33-bit PTS/DTS/PCR base. */
const WRAP = 2 ** 33;
/** Tables at least this often (90 kHz) even without key frames (audio-only streams, long GOPs). */
const TABLE_INTERVAL = 45000;

/** Codecs MPEG-TS carries here. G.711 has no stream type in ISO 13818-1, so it is left out. */
export function tsSupports(t: Track): boolean {
  if (t.codec === 'H264') return !!t.h264?.sps.length;
  if (t.codec === 'H265') return !!t.h265?.sps.length;
  if (t.codec === 'AAC') return !!t.aac?.asc.length;
  return t.codec === 'OPUS' || t.codec === 'MPA' || t.codec === 'AC3';
}

export interface TsMuxOptions {
  /**
   * Added to every timestamp (90 kHz) so that the first units' negative dts (B-frame reorder delay,
   * audio that started a little before video) stay positive. 1.4 s, as ffmpeg's muxer does.
   */
  offset90k?: number;
  /** How far the PCR runs behind the video dts (90 kHz): the decoder's buffering margin. */
  pcrLead90k?: number;
}

interface Es {
  track: Track;
  pid: number;
  streamId: number;
  streamType: number;
  cc: number;
  /** ADTS header template (7 bytes) for AAC. */
  adts?: Uint8Array;
}

export interface TsChunk {
  bytes: Uint8Array;
  /** Starts with PAT/PMT and, when there is video, a key frame: a new reader can start here. */
  joinable: boolean;
}

export class TsMuxer {
  readonly tracks: Track[];
  private readonly es = new Map<number, Es>();
  private readonly pcrTrack: number;
  private patCc = 0;
  private pmtCc = 0;
  private lastTables = -Infinity;
  private readonly offset: number;
  private readonly pcrLead: number;
  private readonly hasVideo: boolean;

  constructor(tracks: Track[], opts: TsMuxOptions = {}) {
    this.tracks = tracks.filter(tsSupports);
    this.offset = opts.offset90k ?? 126000;
    this.pcrLead = opts.pcrLead90k ?? 27000;
    let video = 0;
    let audio = 0;
    this.tracks.forEach((t, i) => {
      const e: Es = { track: t, pid: FIRST_PID + i, streamId: 0, streamType: 0, cc: 0 };
      if (t.codec === 'H264' || t.codec === 'H265') {
        e.streamType = t.codec === 'H264' ? 0x1b : 0x24;
        e.streamId = 0xe0 + video++;
      } else if (t.codec === 'AAC') {
        e.streamType = 0x0f;
        e.streamId = 0xc0 + audio++;
        e.adts = adtsTemplate(t);
      } else if (t.codec === 'MPA') {
        // ISO 13818-1 Table 2-34: 0x03 MPEG-1 audio, 0x04 MPEG-2 (13818-3) audio.
        e.streamType = t.audioHeader && parseMpaHeader(t.audioHeader)?.version !== 1 ? 0x04 : 0x03;
        e.streamId = 0xc0 + audio++;
      } else if (t.codec === 'AC3') {
        // ATSC A/52 Annex A: stream_type 0x81 in private stream 1, with an 'AC-3' registration descriptor.
        e.streamType = 0x81;
        e.streamId = 0xbd;
      } else {
        // Opus: private stream with a registration descriptor (ETSI TS 102 366-style mapping ffmpeg and VLC read).
        e.streamType = 0x06;
        e.streamId = 0xbd;
      }
      this.es.set(t.id, e);
    });
    const v = this.tracks.find((t) => t.kind === 'video');
    this.hasVideo = !!v;
    this.pcrTrack = (v ?? this.tracks[0])?.id ?? -1;
  }

  /** True when `track` is carried (units of other tracks are ignored by mux()). */
  carries(trackId: number): boolean {
    return this.es.has(trackId);
  }

  /** PAT + PMT, 2 packets. */
  tables(): Uint8Array {
    const out = new Uint8Array(2 * TS_PACKET);
    this.psi(out, 0, PAT_PID, this.patCc++, pat());
    this.psi(out, TS_PACKET, PMT_PID, this.pmtCc++, pmt([...this.es.values()], this.es.get(this.pcrTrack)?.pid ?? 0x1fff));
    this.patCc &= 15;
    this.pmtCc &= 15;
    return out;
  }

  /** One access unit as TS packets (with PAT/PMT first at key frames or when due); null for tracks not carried. */
  mux(trackId: number, au: AccessUnit): TsChunk | null {
    const e = this.es.get(trackId);
    if (!e) return null;
    const clock = e.track.clockRate;
    const pts = to90k(au.pts, clock, this.offset);
    const dts = to90k(au.dts, clock, this.offset);
    const isPcr = trackId === this.pcrTrack;
    const keyVideo = e.track.kind === 'video' && au.key;
    const dueTables = isPcr && (keyVideo || dts - this.lastTables >= TABLE_INTERVAL || dts < this.lastTables);
    const payload = this.payload(e, au);
    const pes = pesPacket(e.streamId, e.track.kind === 'video', pts, dts, payload);
    const pcr = isPcr ? (dts - this.pcrLead + WRAP) % WRAP : undefined;
    const body = this.packetize(e, pes, pcr, keyVideo || (!this.hasVideo && dueTables));
    if (!dueTables) return { bytes: body, joinable: false };
    this.lastTables = dts;
    const tables = this.tables();
    const bytes = new Uint8Array(tables.length + body.length);
    bytes.set(tables, 0);
    bytes.set(body, tables.length);
    return { bytes, joinable: this.hasVideo ? keyVideo : true };
  }

  private payload(e: Es, au: AccessUnit): Uint8Array {
    const t = e.track;
    if (t.codec === 'AAC') {
      const frame = au.data[0]!;
      const h = e.adts!.slice();
      const len = frame.length + 7;
      h[3] = (h[3]! & 0xfc) | ((len >>> 11) & 3);
      h[4] = (len >>> 3) & 0xff;
      h[5] = ((len & 7) << 5) | 0x1f;
      return concat([h, frame]);
    }
    if (t.codec === 'MPA' || t.codec === 'AC3') return au.data[0]!;
    if (t.codec === 'OPUS') {
      // Opus control header: 0x7FE0 prefix (no trim, no extension), then au_size as 0xFF runs.
      const frame = au.data[0]!;
      const size: number[] = [];
      let n = frame.length;
      while (n >= 255) {
        size.push(255);
        n -= 255;
      }
      size.push(n);
      return concat([Uint8Array.of(0x7f, 0xe0, ...size), frame]);
    }
    return annexB(t, au);
  }

  private psi(out: Uint8Array, at: number, pid: number, cc: number, section: Uint8Array): void {
    out.fill(0xff, at, at + TS_PACKET);
    out[at] = 0x47;
    out[at + 1] = 0x40 | (pid >>> 8);
    out[at + 2] = pid & 0xff;
    out[at + 3] = 0x10 | (cc & 15);
    out[at + 4] = 0; // pointer_field
    out.set(section, at + 5);
  }

  /** Splits a PES into TS packets: PCR and random_access_indicator in the first, stuffing in the last. */
  private packetize(e: Es, pes: Uint8Array, pcr: number | undefined, rai: boolean): Uint8Array {
    const count = Math.ceil((pes.length + (pcr !== undefined ? 8 : rai ? 2 : 0)) / 184) || 1;
    const out = new Uint8Array(count * TS_PACKET + TS_PACKET);
    let o = 0;
    let pos = 0;
    let first = true;
    while (pos < pes.length) {
      let afFixed = first ? (pcr !== undefined ? 7 : rai ? 1 : 0) : 0;
      let hasAf = afFixed > 0;
      const space = 184 - (hasAf ? 1 + afFixed : 0);
      const take = Math.min(space, pes.length - pos);
      let stuff = space - take;
      if (stuff > 0 && !hasAf) {
        hasAf = true;
        stuff -= 1;
        if (stuff > 0) {
          afFixed = 1;
          stuff -= 1;
        }
      }
      out[o] = 0x47;
      out[o + 1] = (first ? 0x40 : 0) | (e.pid >>> 8);
      out[o + 2] = e.pid & 0xff;
      out[o + 3] = (hasAf ? 0x30 : 0x10) | e.cc;
      e.cc = (e.cc + 1) & 15;
      let p = o + 4;
      if (hasAf) {
        out[p++] = afFixed + stuff;
        if (afFixed > 0) {
          out[p++] = (first && rai ? 0x40 : 0) | (first && pcr !== undefined ? 0x10 : 0);
          if (first && pcr !== undefined) {
            // program_clock_reference_base (33 bits), 6 reserved bits, extension 0.
            const hi = Math.floor(pcr / 2);
            out[p++] = (hi >>> 24) & 0xff;
            out[p++] = (hi >>> 16) & 0xff;
            out[p++] = (hi >>> 8) & 0xff;
            out[p++] = hi & 0xff;
            out[p++] = ((pcr & 1) << 7) | 0x7e;
            out[p++] = 0;
          }
        }
        out.fill(0xff, p, p + stuff);
        p += stuff;
      }
      out.set(pes.subarray(pos, pos + take), p);
      pos += take;
      o += TS_PACKET;
      first = false;
    }
    return out.subarray(0, o);
  }
}

function to90k(t: number, clock: number, offset: number): number {
  const v = Math.round((t * 90000) / clock) + offset;
  return ((v % WRAP) + WRAP) % WRAP;
}

const concat = concatBytes;

/** A PES packet (ISO 13818-1 §2.4.3.6) with PTS, and DTS when it differs (video). */
function pesPacket(streamId: number, video: boolean, pts: number, dts: number, payload: Uint8Array): Uint8Array {
  const withDts = video && dts !== pts;
  const headerData = withDts ? 10 : 5;
  const out = new Uint8Array(9 + headerData + payload.length);
  out[2] = 1;
  out[3] = streamId;
  const len = 3 + headerData + payload.length;
  // Video may be unbounded (0); audio lengths fit easily.
  const pesLen = video || len > 0xffff ? 0 : len;
  out[4] = pesLen >>> 8;
  out[5] = pesLen & 0xff;
  out[6] = 0x84; // '10', data_alignment_indicator
  out[7] = withDts ? 0xc0 : 0x80;
  out[8] = headerData;
  writeTimestamp(out, 9, withDts ? 3 : 2, pts);
  if (withDts) writeTimestamp(out, 14, 1, dts);
  out.set(payload, 9 + headerData);
  return out;
}

function writeTimestamp(out: Uint8Array, at: number, prefix: number, t: number): void {
  const low = t % 2 ** 30;
  out[at] = (prefix << 4) | (Math.floor(t / 2 ** 29) & 0x0e) | 1;
  out[at + 1] = (low >>> 22) & 0xff;
  out[at + 2] = ((low >>> 14) & 0xfe) | 1;
  out[at + 3] = (low >>> 7) & 0xff;
  out[at + 4] = ((low << 1) & 0xfe) | 1;
}

const START = Uint8Array.of(0, 0, 0, 1);
const AUD_H264 = Uint8Array.of(0x09, 0xf0);
const AUD_H265 = Uint8Array.of(0x46, 0x01, 0x50);

/**
 * The access unit in Annex B with an access unit delimiter first (H.264 §7.4.1.2.3 wants one in
 * TS; Apple's and some hardware decoders insist), and the track's parameter sets before a key frame
 * that does not carry its own: TS has no out-of-band configuration.
 */
function annexB(t: Track, au: AccessUnit): Uint8Array {
  const h265 = t.codec === 'H265';
  const type = (n: Uint8Array): number => (h265 ? (n[0]! >> 1) & 0x3f : n[0]! & 0x1f);
  const aud = h265 ? 35 : 9;
  const nals: Uint8Array[] = [h265 ? AUD_H265 : AUD_H264];
  if (au.key) {
    const has = new Set(au.data.map(type));
    if (h265 && t.h265 && !has.has(33)) nals.push(...t.h265.vps, ...t.h265.sps, ...t.h265.pps);
    if (!h265 && t.h264 && !has.has(7)) nals.push(...t.h264.sps, ...t.h264.pps);
  }
  for (const n of au.data) if (n.length > 0 && type(n) !== aud) nals.push(n);
  let size = 0;
  for (const n of nals) size += 4 + n.length;
  const out = new Uint8Array(size);
  let o = 0;
  for (const n of nals) {
    out.set(START, o);
    out.set(n, o + 4);
    o += 4 + n.length;
  }
  return out;
}

/** ADTS fixed header (ISO 14496-3 §1.A.2.2) for the track's AudioSpecificConfig; frame length filled per frame. */
function adtsTemplate(t: Track): Uint8Array {
  let objectType = 2;
  let rate = t.sampleRate ?? t.clockRate;
  let channels = t.channels ?? 2;
  try {
    const info = parseAudioSpecificConfig(t.aac!.asc);
    objectType = info.objectType;
    rate = info.sampleRate;
    if (info.channels > 0) channels = info.channels;
  } catch {
    /* keep the track's numbers */
  }
  // ADTS profile is object type - 1 and only covers 1..4; HE-AAC (SBR/PS) is signalled implicitly as LC.
  const profile = objectType >= 1 && objectType <= 4 ? objectType - 1 : 1;
  let sfi = AAC_SAMPLE_RATES.indexOf(rate);
  if (sfi < 0) sfi = 3;
  const h = new Uint8Array(7);
  h[0] = 0xff;
  h[1] = 0xf1; // MPEG-4, layer 0, no CRC
  h[2] = (profile << 6) | (sfi << 2) | ((channels >>> 2) & 1);
  h[3] = (channels & 3) << 6;
  h[6] = 0xfc; // buffer fullness 0x7FF (VBR), one raw data block
  return h;
}

function pat(): Uint8Array {
  return section(0x00, 1, Uint8Array.of(0x00, 0x01, 0xe0 | (PMT_PID >>> 8), PMT_PID & 0xff));
}

function pmt(es: Es[], pcrPid: number): Uint8Array {
  const body: number[] = [0xe0 | (pcrPid >>> 8), pcrPid & 0xff, 0xf0, 0x00];
  for (const e of es) {
    const desc: number[] = [];
    if (e.track.codec === 'OPUS') {
      desc.push(0x05, 4, 0x4f, 0x70, 0x75, 0x73); // registration_descriptor 'Opus'
      desc.push(0x7f, 2, 0x80, Math.min(2, Math.max(1, e.track.channels ?? 2))); // extension: Opus channel config
    }
    if (e.track.codec === 'AC3') desc.push(0x05, 4, 0x41, 0x43, 0x2d, 0x33); // registration_descriptor 'AC-3'
    body.push(e.streamType, 0xe0 | (e.pid >>> 8), e.pid & 0xff, 0xf0 | (desc.length >>> 8), desc.length & 0xff, ...desc);
  }
  return section(0x02, 1, Uint8Array.from(body));
}

/** A long-form PSI section with CRC-32 (ISO 13818-1 Annex B). */
function section(tableId: number, idExt: number, body: Uint8Array): Uint8Array {
  const len = 5 + body.length + 4;
  const out = new Uint8Array(3 + len);
  out[0] = tableId;
  out[1] = 0xb0 | (len >>> 8);
  out[2] = len & 0xff;
  out[3] = idExt >>> 8;
  out[4] = idExt & 0xff;
  out[5] = 0xc1; // version 0, current_next_indicator
  out[6] = 0;
  out[7] = 0;
  out.set(body, 8);
  const crc = crc32(out.subarray(0, out.length - 4));
  out[out.length - 4] = crc >>> 24;
  out[out.length - 3] = (crc >>> 16) & 0xff;
  out[out.length - 2] = (crc >>> 8) & 0xff;
  out[out.length - 1] = crc & 0xff;
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32/MPEG-2: polynomial 0x04C11DB7, initial 0xFFFFFFFF, no reflection, no final xor. */
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = ((c << 8) ^ CRC_TABLE[((c >>> 24) ^ b[i]!) & 0xff]!) >>> 0;
  return c >>> 0;
}
