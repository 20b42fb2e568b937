// Moves one live RTP reader from stream to stream (a path and its renditions) at a video key frame, so that it sees one continuous stream.
//
// The reader keeps the SSRC, payload types, sequence numbering and RTP clock of the stream it
// started on: packets of any other stream are copied with a rewritten header (seq continuing from
// the last one sent, timestamps continuing by the wall-clock time between the last packet of the
// old stream and the first of the new one), and the new stream's parameter sets go out in-band just
// before its first key frame (the picture size may change there; decoders take new SPS in-band).
// Until any switch, packets pass through untouched: only a switched reader pays for the copies.
// Sender reports of the stream being read are rewritten the same way (SSRC, RTP time).
import type { Track } from '../media/track.js';
import type { OutPacket } from './out-packet.js';
import type { Stream, StreamReader } from './stream.js';

const RTP_HEADER = 12;
const RTCP_SR = 200;

/** Where one of the reader's tracks stands: the last seq/timestamp it was sent and when. */
interface OutTrack {
  track: Track;
  ssrc: number | undefined;
  lastSeq: number | undefined;
  lastTs: number | undefined;
  /** The furthest-ahead timestamp sent: with B-frames a frame sent earlier may be shown later than the last one sent. */
  maxTs: number | undefined;
  /** The smallest step forward seen between two packets' timestamps: one frame (video) or one audio frame. */
  minStep: number | undefined;
  lastAt: number;
  /** NTP (64-bit) and RTP time of the last SR of the stream the reader started on: every SR after a switch keeps to it. */
  srRef: { ntp: bigint; rtp: number } | undefined;
}

/** How a source stream's track maps onto a reader's track (offsets fixed at its first packet after the switch). */
interface Mapping {
  out: OutTrack;
  seqOffset: number | undefined;
  tsOffset: number | undefined;
}

interface Feed {
  stream: Stream;
  reader: StreamReader;
  /** By source track id. */
  maps: Map<number, Mapping>;
  /** The stream the reader started on, before any switch: its packets pass through untouched. */
  original: boolean;
}

export class ReaderSwitch {
  private readonly outs: OutTrack[];
  private active: Feed;
  private pending: { feed: Feed; done: (ok: boolean) => void; taken: (() => void) | undefined } | undefined;
  private closed = false;

  /**
   * Attaches to `first` on behalf of `out`, whose tracks (payload types, clock rates) are `first`'s.
   * The caller detaches `out` itself from `first` beforehand if it was attached there.
   */
  constructor(
    private readonly out: StreamReader,
    first: Stream,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.outs = first.tracks.map((track) => ({ track, ssrc: first.ssrcOf(track.id), lastSeq: undefined, lastTs: undefined, maxTs: undefined, minStep: undefined, lastAt: 0, srRef: undefined }));
    // The reader has had `first`'s latest SRs (at PLAY, or as they came): its timeline until the next one.
    for (const { trackId, data } of first.senderReports()) {
      const o = this.outs.find((x) => x.track.id === trackId);
      if (o && data.length >= 28 && data[1] === RTCP_SR) o.srRef = srPair(data);
    }
    this.active = this.feed(first, true);
    first.attach(this.active.reader);
  }

  /** The stream being forwarded now. */
  get stream(): Stream {
    return this.active.stream;
  }

  /**
   * Forwards `next` from its next video key frame on (its next packet, for a stream without video)
   * and lets go of the current one then. Resolves true once switched, false if `next` ended first
   * or another switch replaced this one. `taken` runs at the switch itself, before the new stream's
   * first packet goes to the reader (the caller may change how that packet is treated).
   */
  switchTo(next: Stream, taken?: () => void): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    this.cancelPending();
    if (next === this.active.stream) return Promise.resolve(true);
    const feed = this.feed(next, false);
    return new Promise<boolean>((done) => {
      this.pending = { feed, done, taken };
      next.attach(feed.reader);
    });
  }

  /** Lets go of every stream (the reader's session ended). */
  close(): void {
    this.closed = true;
    this.cancelPending();
    this.active.stream.detach(this.active.reader);
  }

  private cancelPending(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    p.feed.stream.detach(p.feed.reader);
    p.done(false);
  }

  private feed(stream: Stream, original: boolean): Feed {
    const maps = new Map<number, Mapping>();
    for (const t of stream.tracks) {
      // Same kind, and the same codec: a rendition's audio is a copy, its video the main's codec family.
      const out = this.outs.find((o) => o.track.kind === t.kind && o.track.codec === t.codec) ?? this.outs.find((o) => o.track.kind === t.kind);
      if (out) maps.set(t.id, { out, seqOffset: undefined, tsOffset: undefined });
    }
    const f: Feed = { stream, maps, original, reader: undefined as unknown as StreamReader };
    f.reader = {
      deliver: (p) => this.onPacket(f, p),
      deliverRtcp: (trackId, data) => this.onRtcp(f, trackId, data),
      end: (reason) => this.onEnd(f, reason),
    };
    return f;
  }

  private onPacket(f: Feed, p: OutPacket): void {
    if (this.closed) return;
    if (f !== this.active) {
      if (this.pending?.feed !== f || !this.startsHere(f, p)) return;
      this.take(f);
      this.sendParameterSets(f, p);
    }
    this.forward(f, p);
  }

  /** The pending stream may start at this packet: a video key frame's first packet (any packet without video). */
  private startsHere(f: Feed, p: OutPacket): boolean {
    const hasVideo = f.stream.tracks.some((t) => t.kind === 'video' && f.maps.has(t.id));
    const track = f.stream.tracks.find((t) => t.id === p.trackId);
    return hasVideo ? track?.kind === 'video' && p.keyStart : f.maps.has(p.trackId);
  }

  private take(f: Feed): void {
    const old = this.active;
    const { done, taken } = this.pending!;
    this.pending = undefined;
    this.active = f;
    old.stream.detach(old.reader);
    taken?.();
    done(true);
  }

  private forward(f: Feed, p: OutPacket): void {
    const m = f.maps.get(p.trackId);
    if (!m) return;
    const o = m.out;
    if (f.original && m.seqOffset === undefined) {
      // Never switched: the very packet every other reader gets.
      noteStep(o, p.timestamp);
      o.lastSeq = p.seq;
      o.lastTs = p.timestamp;
      o.maxTs = ahead(o.maxTs, p.timestamp);
      o.lastAt = this.now();
      o.ssrc ??= p.ssrc;
      return this.out.deliver(p);
    }
    if (m.seqOffset === undefined || m.tsOffset === undefined) this.anchor(m, p);
    const seq = (p.seq + m.seqOffset!) & 0xffff;
    const ts = (p.timestamp + m.tsOffset!) >>> 0;
    this.emit(o, rewrite(p, o.track.id, seq, ts, o.ssrc ?? p.ssrc, o.track.payloadType), seq, ts);
  }

  /** Offsets that continue the reader's numbering and clock from its last packet of this track. */
  private anchor(m: Mapping, p: OutPacket): void {
    const o = m.out;
    const nextSeq = o.lastSeq === undefined ? p.seq : (o.lastSeq + 1) & 0xffff;
    // At least a frame after every frame already sent, whatever its place in the decode order: a
    // rendition's key frame may arrive a few ms after the main stream's last packet.
    const elapsed = o.maxTs === undefined ? 0 : Math.max(o.minStep ?? 1, Math.round(((this.now() - o.lastAt) * o.track.clockRate) / 1000));
    const ts = o.maxTs === undefined ? p.timestamp : (o.maxTs + elapsed) >>> 0;
    m.seqOffset = (nextSeq - p.seq) & 0xffff;
    m.tsOffset = (ts - p.timestamp) >>> 0;
  }

  private emit(o: OutTrack, p: OutPacket, seq: number, ts: number): void {
    noteStep(o, ts);
    o.lastSeq = seq;
    o.lastTs = ts;
    o.maxTs = ahead(o.maxTs, ts);
    o.lastAt = this.now();
    this.out.deliver(p);
  }

  /** The new stream's SPS/PPS (and VPS) as single-NAL packets at the key frame's time, just before it. */
  private sendParameterSets(f: Feed, key: OutPacket): void {
    const track = f.stream.tracks.find((t) => t.id === key.trackId);
    const m = f.maps.get(key.trackId);
    if (!track || !m) return;
    const sets = track.codec === 'H264' ? [...(track.h264?.sps ?? []), ...(track.h264?.pps ?? [])] : track.codec === 'H265' ? [...(track.h265?.vps ?? []), ...(track.h265?.sps ?? []), ...(track.h265?.pps ?? [])] : [];
    if (sets.length === 0) return;
    this.anchor(m, key);
    const o = m.out;
    const ts = (key.timestamp + m.tsOffset!) >>> 0;
    const ssrc = o.ssrc ?? key.ssrc;
    for (const [i, nal] of sets.entries()) {
      const seq = (o.lastSeq === undefined ? key.seq + m.seqOffset! : o.lastSeq + 1) & 0xffff;
      // The first starts the key frame's access unit (a reader waiting for a key frame, or thinned to key frames only, takes it).
      this.emit(o, singleNal(nal, o.track.id, seq, ts, ssrc, o.track.payloadType, key, i === 0), seq, ts);
    }
    // The key frame follows right after them.
    m.seqOffset = ((o.lastSeq! + 1) - key.seq) & 0xffff;
  }

  private onRtcp(f: Feed, trackId: number, data: Uint8Array): void {
    if (this.closed || f !== this.active) return;
    const m = f.maps.get(trackId);
    if (!m) return;
    if (f.original && m.seqOffset === undefined) {
      if (data.length >= 28 && data[1] === RTCP_SR) m.out.srRef = srPair(data);
      return this.out.deliverRtcp(m.out.track.id, data);
    }
    // Only a sender report is rewritten (RFC 3550 §6.4.1: SSRC at 4, NTP time at 8, RTP timestamp at 16); the rest is the old source's.
    if (data.length < 28 || data[1] !== RTCP_SR || m.tsOffset === undefined) return;
    const sr = data.slice(0, 4 * (((data[2]! << 8) | data[3]!) + 1));
    const v = new DataView(sr.buffer, sr.byteOffset, sr.byteLength);
    if (m.out.ssrc !== undefined) v.setUint32(4, m.out.ssrc);
    const rtp = (v.getUint32(16) + m.tsOffset) >>> 0;
    v.setUint32(16, rtp);
    // The NTP time the reader's first stream gives this RTP time: the new source's own wall clock (its
    // encoder's delay, another machine's clock) would move the reader's timeline, backwards when it
    // lags (receivers such as ffmpeg place frames by the SRs' NTP-RTP pairing, RFC 3550 §6.4.1).
    const ref = m.out.srRef;
    if (ref) {
      const ticks = BigInt(Math.round((((rtp - ref.rtp) | 0) / m.out.track.clockRate) * 2 ** 32));
      const ntp = BigInt.asUintN(64, ref.ntp + ticks);
      v.setBigUint64(8, ntp);
      m.out.srRef = { ntp, rtp };
    }
    this.out.deliverRtcp(m.out.track.id, sr);
  }

  private onEnd(f: Feed, reason: string): void {
    if (this.pending?.feed === f) {
      const done = this.pending.done;
      this.pending = undefined;
      done(false);
      return;
    }
    if (f === this.active && !this.closed) {
      this.closed = true;
      this.cancelPending();
      this.out.end(reason);
    }
  }
}

/** An SR's NTP time (64-bit) and RTP time (RFC 3550 §6.4.1). */
function srPair(d: Uint8Array): { ntp: bigint; rtp: number } {
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  return { ntp: v.getBigUint64(8), rtp: v.getUint32(16) };
}

function noteStep(o: OutTrack, ts: number): void {
  if (o.lastTs === undefined) return;
  const step = (ts - o.lastTs) | 0;
  if (step > 0 && (o.minStep === undefined || step < o.minStep)) o.minStep = step;
}

/** The later of two RTP timestamps (modulo 2^32, RFC 3550 §5.1). */
function ahead(a: number | undefined, b: number): number {
  return a === undefined || ((b - a) | 0) > 0 ? b : a;
}

/** A copy of `p` with seq, timestamp, SSRC and payload type replaced (marker bit kept). */
function rewrite(p: OutPacket, trackId: number, seq: number, ts: number, ssrc: number, pt: number): OutPacket {
  const data = p.data.slice();
  if (data.length >= RTP_HEADER) {
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
    data[1] = (data[1]! & 0x80) | (pt & 0x7f);
    v.setUint16(2, seq);
    v.setUint32(4, ts);
    v.setUint32(8, ssrc);
  }
  return { trackId, data, seq, timestamp: ts, ssrc, keyStart: p.keyStart, ...(p.droppable ? { droppable: true } : {}), ...(p.arrivalMs !== undefined ? { arrivalMs: p.arrivalMs } : {}) };
}

/** RFC 6184 §5.6 / RFC 7798 §4.4.1: one NAL unit as the whole payload. */
function singleNal(nal: Uint8Array, trackId: number, seq: number, ts: number, ssrc: number, pt: number, like: OutPacket, keyStart: boolean): OutPacket {
  const data = new Uint8Array(RTP_HEADER + nal.length);
  const v = new DataView(data.buffer);
  data[0] = 0x80;
  data[1] = pt & 0x7f;
  v.setUint16(2, seq);
  v.setUint32(4, ts);
  v.setUint32(8, ssrc);
  data.set(nal, RTP_HEADER);
  return { trackId, data, seq, timestamp: ts, ssrc, keyStart, ...(like.arrivalMs !== undefined ? { arrivalMs: like.arrivalMs } : {}) };
}
