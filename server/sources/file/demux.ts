// Demuxes a media file (MP4/MOV, MKV/WebM, MPEG-TS) with mediabunny, in a worker, into Tracks and AccessUnits held in memory.
import type { SeekableMedia } from '../../core/seekable-media.js';
import type { CodecName, Track } from '../../media/track.js';
import type { AccessUnit } from '../../media/access-unit.js';
import { adtsToAsc, collectParamSets, isAdts, isAud, parseAvcc, parseHvcc, splitNals } from './codec-config.js';
import { ContainerError, readContainer, type Container, type ContainerReadOptions, type ContainerTrack } from './container-worker.js';
import { audioUnits, dropped, videoUnits, type RawUnit } from './units.js';
import { learnVideoConfig } from '../../rtp/codecs/video-config.js';
import { cleanLanguage } from '../../media/language.js';
import { findSidecar } from './sidecar.js';
import { readTextTracks } from './text-tracks/index.js';

export { adtsToAsc, parseAvcc, parseHvcc, splitAnnexB, splitNals } from './codec-config.js';

/** A demuxed file: what the core serves (SeekableMedia), plus what the file cache accounts. */
export interface MediaFile extends SeekableMedia {
  /** Total AU payload bytes held (sum of all data arrays). */
  bytes: number;
  /** Seconds of file time that became pts 0 (e.g. 1.4 for a typical ffmpeg MPEG-TS). */
  startTime: number;
}

export interface LoadOptions {
  /** Abort (throw) once the AU payload exceeds this, so a huge file never fills memory. */
  maxBytes?: number;
  /** Milliseconds the demuxer may show no progress before the file is taken as damaged. */
  stallMs?: number;
  /** Heap (MB) the demux may use before the file is taken as damaged. */
  heapMb?: number;
  /** Reads the container (tests count or replace it). */
  read?: (path: string, opts: ContainerReadOptions) => Promise<Container>;
}

/** The default of `fileDemuxTimeout`: a healthy demuxer beats many times a second. */
export const DEMUX_STALL_MS = 10_000;
/** Heap a demux worker may use: an index of hours of 60 fps video needs a fraction of it. */
const DEMUX_HEAP_MB = 512;

const SUPPORTED = 'H.264 (avc), H.265 (hevc), VP8, VP9, AV1, AAC, Opus, G.711 (ulaw, alaw), MP3, AC-3';

const CODECS: Record<string, CodecName> = {
  avc: 'H264',
  hevc: 'H265',
  vp8: 'VP8',
  vp9: 'VP9',
  av1: 'AV1',
  aac: 'AAC',
  opus: 'OPUS',
  ulaw: 'PCMU',
  alaw: 'PCMA',
  mp3: 'MPA',
  ac3: 'AC3',
};

/**
 * A container whose header or index promises this much more media than its packets hold is cut
 * short (a copy or download that stopped): seconds, and a share of the promised length.
 */
const TRUNCATED_SECONDS = 1;
const TRUNCATED_SHARE = 0.1;

export async function loadMediaFile(path: string, opts: LoadOptions = {}): Promise<MediaFile> {
  const budget = opts.maxBytes ?? Infinity;
  const overBudget = `${path}: access units exceed the cache limit of ${budget} bytes; raise the limit or use a smaller file`;
  const container = await (opts.read ?? readContainer)(path, {
    codecs: Object.keys(CODECS),
    maxBytes: budget,
    overBudget,
    stallMs: opts.stallMs ?? DEMUX_STALL_MS,
    heapMb: opts.heapMb ?? DEMUX_HEAP_MB,
  });
  const picked = pickTracks(path, container);

  const tracks: Track[] = [];
  const raws: RawUnit[][] = [];
  let bytes = 0;
  const account = (n: number): void => {
    bytes += n;
    if (bytes > budget) throw new ContainerError(overBudget);
  };
  for (const { ct, codec } of picked) {
    const { track, raw } = buildTrack(ct, codec, tracks.length, container.matroska, account);
    const language = cleanLanguage(ct.language);
    if (language) track.language = language;
    // Bounded: a title is for a menu, not a place to keep bytes.
    if (ct.name) track.name = ct.name.slice(0, 120);
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
  // A sidecar first (its cues are taken as npt), then the container's text tracks (file time, shifted like the video).
  const sidecar = findSidecar(path);
  const subtitles = [...(sidecar ? [sidecar] : []), ...(await readTextTracks(path, start))];
  // The cache accounts the cue text too (bounded per track by MAX_CUES and MAX_CUE_TEXT).
  for (const t of subtitles) for (const c of t.cues) bytes += c.text.length;
  return { path, tracks, units, duration, bytes, startTime: start, subtitles };
}

/** The tracks with a supported codec and at least one packet; a ContainerError saying what was found when none. */
function pickTracks(path: string, c: Container): { ct: ContainerTrack; codec: CodecName }[] {
  const found: string[] = [];
  const picked: { ct: ContainerTrack; codec: CodecName }[] = [];
  const empty: string[] = [];
  for (const ct of c.tracks) {
    const name = ct.codec ?? 'unknown';
    found.push(`${name} (${ct.type})`);
    const codec = CODECS[name];
    if (!codec || (ct.type !== 'video' && ct.type !== 'audio')) continue;
    if (ct.packets.length > 0) picked.push({ ct, codec });
    else empty.push(name);
  }
  // A track the index gives frames to but none could be read: the check below names it.
  checkComplete(path, c, c.tracks.filter((t) => t.codec !== null && CODECS[t.codec] !== undefined));
  if (picked.length === 0 && empty.length > 0) {
    throw new ContainerError(`${path}: no frames could be read from its ${empty.join(' and ')} track${empty.length > 1 ? 's' : ''}; the file is truncated or damaged`);
  }
  if (found.length === 0) throw new ContainerError(`${path}: no tracks found; the file is truncated or damaged`);
  if (picked.length === 0) throw new ContainerError(`${path}: no supported track; found ${found.join(', ')}; supported are ${SUPPORTED}`);
  return picked;
}

/**
 * Refuses a file whose index disagrees with its frames: it promises well more media than the
 * frames hold (a copy or download cut short, sample offsets past the end), or frame times far past
 * what it promises (a damaged timing table).
 */
function checkComplete(path: string, c: Container, tracks: ContainerTrack[]): void {
  const off = (declared: number, end: number): boolean => {
    const gap = Math.abs(declared - end);
    return gap > TRUNCATED_SECONDS && gap > TRUNCATED_SHARE * declared;
  };
  let fileEnd = 0;
  for (const t of tracks) {
    const end = t.packets.reduce((e, p) => Math.max(e, p.pts + p.dur), 0);
    fileEnd = Math.max(fileEnd, end);
    const declared = t.declaredDuration;
    if (declared !== null && declared > 0 && off(declared, end)) throw new ContainerError(mismatch(path, `its ${t.codec} track`, declared, end));
  }
  // Without a track we read there is nothing to measure the file by: the caller says what it holds.
  const declared = c.declaredDuration;
  if (tracks.length > 0 && declared !== null && declared > 0 && off(declared, fileEnd)) throw new ContainerError(mismatch(path, 'it', declared, fileEnd));
}

function mismatch(path: string, what: string, declared: number, end: number): string {
  const why = end < declared ? 'the file is truncated or damaged' : 'its timing table is damaged';
  return `${path}: ${why}: ${what} should last ${declared.toFixed(1)} s, but its frames end at ${end.toFixed(1)} s`;
}

function buildTrack(
  ct: ContainerTrack,
  codec: CodecName,
  id: number,
  isMatroska: boolean,
  account: (n: number) => void,
): { track: Track; raw: RawUnit[] } {
  return ct.type === 'video' ? buildVideo(ct, codec, id, account) : buildAudio(ct, codec, id, isMatroska, account);
}

function buildVideo(ct: ContainerTrack, codec: CodecName, id: number, account: (n: number) => void): { track: Track; raw: RawUnit[] } {
  const track: Track = { id, kind: 'video', codec, clockRate: 90000, width: ct.width, height: ct.height, payloadType: 96 + id };
  if (codec === 'VP8' || codec === 'VP9' || codec === 'AV1') return buildFrames(ct, track, account);
  const desc = ct.description;
  const h265 = codec === 'H265';
  const cfg = desc ? (h265 ? parseHvcc(desc) : parseAvcc(desc)) : null;
  const ps = { vps: cfg?.vps ?? [], sps: cfg?.sps ?? [], pps: cfg?.pps ?? [] };
  const fromConfig = ps.sps.length > 0 && ps.pps.length > 0;
  const raw: RawUnit[] = [];
  for (const p of ct.packets) {
    const nals = splitNals(p.data, cfg?.lengthSize ?? 4).filter((n) => !isAud(n, h265));
    if (nals.length === 0) continue;
    // MPEG-TS carries no decoder config: take the first in-band parameter sets instead.
    if (!fromConfig) collectParamSets(nals, h265, ps);
    for (const n of nals) account(n.byteLength);
    raw.push({ pts: p.pts, dur: p.dur, key: p.key, data: nals });
  }
  if (ps.sps.length === 0 || ps.pps.length === 0 || (h265 && ps.vps.length === 0)) {
    throw new ContainerError(`track ${ct.id}: ${codec} without parameter sets in the decoder config or the bitstream`);
  }
  if (h265) track.h265 = { vps: ps.vps, sps: ps.sps, pps: ps.pps };
  else track.h264 = { sps: ps.sps, pps: ps.pps };
  return { track, raw };
}

/**
 * VP8/VP9 frames and AV1 temporal units are carried whole (data = [sample]); the first key frame's
 * header gives the size and the vpcC/av1C fields (the container's own config is not needed).
 */
function buildFrames(ct: ContainerTrack, track: Track, account: (n: number) => void): { track: Track; raw: RawUnit[] } {
  const raw: RawUnit[] = [];
  for (const p of ct.packets) {
    if (p.data.byteLength === 0) continue;
    const data = [p.data];
    if (p.key && !track.vpx && !track.av1) learnVideoConfig(track, data);
    account(p.data.byteLength);
    raw.push({ pts: p.pts, dur: p.dur, key: p.key, data });
  }
  if (!track.vpx && !track.av1) throw new ContainerError(`track ${ct.id}: ${track.codec} without a key frame whose header could be read`);
  return { track, raw };
}

function buildAudio(ct: ContainerTrack, codec: CodecName, id: number, isMatroska: boolean, account: (n: number) => void): { track: Track; raw: RawUnit[] } {
  const sampleRate = ct.sampleRate ?? 0;
  const channels = ct.channels ?? 0;
  let clockRate = sampleRate;
  let payloadType = 96 + id;
  if (codec === 'OPUS') clockRate = 48000; // RFC 7587 section 4.1: always 48000
  if (codec === 'MPA') [clockRate, payloadType] = [90000, 14]; // RFC 3551 static MPA/90000
  if ((codec === 'PCMU' || codec === 'PCMA') && sampleRate === 8000 && channels === 1) {
    payloadType = codec === 'PCMU' ? 0 : 8; // RFC 3551 static types are 8 kHz mono only
  }
  const track: Track = { id, kind: 'audio', codec, clockRate, channels, sampleRate, payloadType };
  const desc = ct.description;

  // mediabunny's Matroska demuxer ignores CodecDelay; Ogg/MP4 apply pre-skip/edit lists. Subtract
  // the Opus pre-skip (which encoders write equal to CodecDelay) so the first decoded non-priming
  // sample lands at its true time, as it does for the other containers.
  let shift = 0;
  if (codec === 'OPUS' && isMatroska && desc && desc.byteLength >= 12) {
    shift = (desc[10]! | (desc[11]! << 8)) / 48000;
  }

  let asc = codec === 'AAC' ? (desc ?? null) : null;
  const raw: RawUnit[] = [];
  for (const p of ct.packets) {
    let frame = p.data;
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
        raw.push({ pts: p.pts + t, dur: part.byteLength / Math.max(1, channels) / sampleRate, key: true, data: [part] });
      }
      continue;
    }
    raw.push({ pts: p.pts - shift, dur: p.dur, key: true, data: [frame] });
  }
  if (codec === 'AAC') {
    if (!asc) throw new ContainerError(`track ${ct.id}: AAC without an AudioSpecificConfig or ADTS headers`);
    track.aac = { asc };
  }
  // MP3 and AC-3: muxers build their sample entries from a frame header.
  if ((codec === 'MPA' || codec === 'AC3') && raw[0]) track.audioHeader = raw[0].data[0]!.slice(0, 8);
  return { track, raw };
}
