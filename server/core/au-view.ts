// The access-unit view of a live stream: RTP depacketized once per packet into frames on one timeline, for muxers.
import { parseRtcpCompound } from '../rtp/rtcp.js';
import { parseRtpPacket } from '../rtp/packet.js';
import { createDepacketizer, type Depacketizer } from '../rtp/packetizer.js';
import { isKeyFrameAccessUnit } from '../rtp/keyframe.js';
import { learnVideoConfig } from '../rtp/codecs/video-config.js';
import { collectParamSets } from '../rtp/codecs/param-sets.js';
import { mpaTicks, parseMpaHeader } from '../rtp/codecs/mpa.js';
import { AC3_SAMPLES, parseAc3Header } from '../rtp/codecs/ac3.js';
import { lpcmTicks } from '../rtp/codecs/lpcm.js';
import { parseJpeg } from '../rtp/codecs/jpeg-parse.js';
import { DtsEstimator } from './dts.js';
import type { Track } from '../media/track.js';
import type { AccessUnit } from '../media/access-unit.js';
import type { OutPacket } from './out-packet.js';
import { TrackClock } from './track-clock.js';
import { TimelineJumpGuard } from './timeline-jump.js';

export interface TimedUnit {
  trackId: number;
  /**
   * pts/dts: integers in the track's clock units on the stream's timeline. Every track shares one
   * zero (the view's first unit; tracks are related through the publisher's RTCP SR wallclock, or
   * arrival time before any SR), so a track starting slightly earlier has small negative times.
   * Never wraps. Per track dts strictly increases and dts <= pts (a few frames below pts with
   * B-frames). `duration` is an estimate: muxers should prefer the next unit's dts when they have it.
   */
  au: AccessUnit;
  /** Unix ms of this pts (source wallclock via RTCP SR when known, else arrival): EXT-X-PROGRAM-DATE-TIME. */
  wallMs: number;
}

export interface AuReader {
  /** Called synchronously from the packet path: queue and bound, mux cheaply. */
  deliverAu(u: TimedUnit): void;
  /** The source left. */
  end(reason: string): void;
}

interface TrackState {
  track: Track;
  depack: Depacketizer;
  clock: TrackClock;
  /** Rebases jumps in the publisher's RTP time (timeline-jump.ts). */
  jump: TimelineJumpGuard;
  dts: DtsEstimator | undefined;
  /** Stream-timeline offset added to the unwrapped RTP time, fixed at the track's first unit. */
  offset: number | undefined;
  lastDts: number;
  lastStep: number;
  /** Video: drop units until a key frame (at start and after a damaged frame). */
  needKey: boolean;
}

export class AuView {
  readonly readers = new Set<AuReader>();
  private readonly states: TrackState[];
  private zeroWallMs: number | undefined;
  private gop: TimedUnit[] = [];
  private gopBytes = 0;
  private gopValid = false;
  private readonly videoTrack: number;
  units = 0;
  dropped = 0;

  constructor(
    tracks: Track[],
    private readonly gopCacheBytes: number,
  ) {
    this.videoTrack = tracks.find((t) => t.kind === 'video')?.id ?? -1;
    this.states = tracks.map((track) => ({
      track,
      depack: createDepacketizer(track),
      clock: new TrackClock(track.clockRate),
      jump: new TimelineJumpGuard(track.clockRate),
      dts: track.kind === 'video' ? new DtsEstimator(2, Math.round(track.clockRate / 30)) : undefined,
      offset: undefined,
      lastDts: Number.NEGATIVE_INFINITY,
      lastStep: 0,
      needKey: track.kind === 'video',
    }));
  }

  /** The units a new reader starts with: from the last video key frame (or nothing before one). */
  attach(r: AuReader): TimedUnit[] {
    this.readers.add(r);
    return this.videoTrack < 0 ? [] : this.gopValid ? this.gop.slice() : [];
  }

  detach(r: AuReader): void {
    this.readers.delete(r);
  }

  end(reason: string): void {
    for (const r of [...this.readers]) r.end(reason);
    this.readers.clear();
    this.gop = [];
    this.gopBytes = 0;
  }

  pushRtcp(trackId: number, data: Uint8Array): void {
    const st = this.states[trackId];
    if (!st) return;
    try {
      for (const p of parseRtcpCompound(data)) {
        if (p.type === 'sr') st.clock.noteSenderReport(p.ntpSeconds, p.ntpFraction, p.rtpTimestamp);
      }
    } catch {
      /* a malformed report is ignored, as receivers do */
    }
  }

  push(p: OutPacket): void {
    const st = this.states[p.trackId];
    if (!st) return;
    let pkt;
    try {
      pkt = parseRtpPacket(p.data);
    } catch {
      return;
    }
    const arrival = p.arrivalMs ?? Date.now();
    for (const f of st.depack.push(pkt)) {
      if (f.damaged || f.data.length === 0) {
        this.dropped++;
        if (st.track.kind === 'video') st.needKey = true;
        continue;
      }
      this.frame(st, f.timestamp, f.data, arrival);
    }
  }

  private frame(st: TrackState, ts: number, data: Uint8Array[], arrivalMs: number): void {
    const track = st.track;
    const video = track.kind === 'video';
    const key = video ? isKeyFrameAccessUnit(track.codec, data) : true;
    if (video) {
      if (st.needKey && !key) {
        this.dropped++;
        return;
      }
      st.needKey = false;
      if (key) {
        fillParamSets(track, data);
        learnVideoConfig(track, data);
      }
    } else if (!track.audioHeader) fillAudioHeader(track, data[0]!);
    const ext = st.jump.next(st.clock.unwrap(ts), arrivalMs);
    const wallMs = st.clock.wallMsOf(ext, arrivalMs);
    this.zeroWallMs ??= wallMs;
    st.offset ??= Math.round(((wallMs - this.zeroWallMs) * track.clockRate) / 1000) - ext;
    const pts = ext + st.offset;
    const dts = st.dts ? st.dts.next(pts) : Math.max(pts, st.lastDts + 1);
    if (st.lastDts !== Number.NEGATIVE_INFINITY) st.lastStep = dts - st.lastDts;
    st.lastDts = dts;
    const au: AccessUnit = { pts, dts, duration: durationOf(track, data[0]!, st.lastStep), key, data };
    const unit: TimedUnit = { trackId: track.id, au, wallMs };
    this.units++;
    this.cache(unit, video && key);
    for (const r of this.readers) r.deliverAu(unit);
  }

  private cache(u: TimedUnit, keyVideo: boolean): void {
    if (this.videoTrack < 0) return;
    if (keyVideo && u.trackId === this.videoTrack) {
      this.gop = [];
      this.gopBytes = 0;
      this.gopValid = true;
    }
    if (!this.gopValid) return;
    this.gop.push(u);
    for (const d of u.au.data) this.gopBytes += d.length;
    if (this.gopBytes > this.gopCacheBytes) {
      this.gop = [];
      this.gopBytes = 0;
      this.gopValid = false;
    }
  }
}

/** A publisher whose SDP had no sprop-parameter-sets: take them from the first key frame that carries them. */
function fillParamSets(track: Track, nals: Uint8Array[]): void {
  if (track.codec === 'H264') {
    if (track.h264 && track.h264.sps.length > 0 && track.h264.pps.length > 0) return;
    const ps = { vps: [] as Uint8Array[], sps: [] as Uint8Array[], pps: [] as Uint8Array[] };
    collectParamSets(nals, false, ps);
    if (ps.sps.length && ps.pps.length) track.h264 = { sps: ps.sps, pps: ps.pps };
  } else if (track.codec === 'H265') {
    if (track.h265 && track.h265.sps.length > 0 && track.h265.pps.length > 0 && track.h265.vps.length > 0) return;
    const ps = { vps: [] as Uint8Array[], sps: [] as Uint8Array[], pps: [] as Uint8Array[] };
    collectParamSets(nals, true, ps);
    if (ps.vps.length && ps.sps.length && ps.pps.length) track.h265 = ps;
  } else if (track.codec === 'MJPEG' && !(track.width && track.height)) {
    // RFC 2435 SDP carries no size: take it from the first picture (the fMP4 sample entry needs it).
    const j = parseJpeg(nals[0] ?? new Uint8Array(0));
    if (typeof j !== 'string') Object.assign(track, { width: j.width, height: j.height });
  }
}

/** MP3 and AC-3: rate and channels from the first frame header (the SDP may not say), kept for muxers. */
function fillAudioHeader(track: Track, frame: Uint8Array): void {
  const h = track.codec === 'MPA' ? parseMpaHeader(frame) : track.codec === 'AC3' ? parseAc3Header(frame) : undefined;
  if (!h) return;
  track.audioHeader = frame.slice(0, 8);
  track.sampleRate = h.sampleRate;
  track.channels = h.channels;
}

/** Frame duration in clock units: what the codec says for audio, the last dts step for video. */
function durationOf(track: Track, first: Uint8Array, lastStep: number): number {
  switch (track.codec) {
    case 'AAC':
      return 1024;
    case 'OPUS':
      return opusSamples(first);
    case 'PCMU':
    case 'PCMA':
    case 'G722': // one byte per 8 kHz clock tick (two 16 kHz samples)
      return first.length;
    case 'MPA': {
      const h = parseMpaHeader(first);
      return h ? mpaTicks(h) : 2351;
    }
    case 'AC3':
      return AC3_SAMPLES;
    case 'L16':
    case 'L24':
      return lpcmTicks(track, first);
    default:
      return lastStep > 0 ? lastStep : Math.round(track.clockRate / 30);
  }
}

/** Samples at 48 kHz in an Opus packet, from its TOC byte (RFC 6716 §3.1). */
export function opusSamples(p: Uint8Array): number {
  if (p.length === 0) return 960;
  const config = p[0]! >> 3;
  // Frame sizes in 1/400 s units (2.5 ms): SILK 10/20/40/60 ms, hybrid 10/20 ms, CELT 2.5/5/10/20 ms.
  const size =
    config < 12 ? [4, 8, 16, 24][config & 3]! : config < 16 ? [4, 8][config & 1]! : [1, 2, 4, 8][config & 3]!;
  const code = p[0]! & 3;
  const frames = code === 0 ? 1 : code < 3 ? 2 : p.length > 1 ? p[1]! & 0x3f : 1;
  return size * 120 * frames;
}
