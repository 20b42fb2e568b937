// One reader's cursor over a shared demuxed file (core's Playback): seek, pace against a monotonic clock, pause, end.
import type { Track } from '../../media/track.js';
import type { AccessUnit } from '../../media/access-unit.js';
import { packetizeAccessUnit } from '../../rtp/packetizer.js';
import { frameClassOfUnit } from '../../rtp/frame-class.js';
import { RtpSenderState } from '../../rtp/sender-state.js';
import type { PacketSink, Playback, PlaybackOptions, PlaybackState, TrackRtpInfo } from '../../core/playback.js';
import { firstUnitIndexAtOrAfter, keyUnitIndexAtOrBefore } from '../../core/seek.js';
import type { SeekableMedia } from '../../core/seekable-media.js';
import { textUnitIndexAt } from './t140-tracks.js';

interface Cursor {
  track: Track;
  units: AccessUnit[];
  sender: RtpSenderState;
  next: number;
  /** Set when the sink refused a packet: skip to the next key frame rather than send a broken GOP. */
  skipToKey: boolean;
  lastSrAt: number;
  /** SRs sent since PLAY: the first EARLY_SRS go a second apart. */
  srsSincePlay: number;
}

/**
 * After PLAY an SR goes every second until this many were sent, then every rtcpInterval.
 * GStreamer's rtpbin only applies an SR that arrives after its jitter buffer started output
 * (rtspsrc's latency, 2 s by default, later on a loaded machine): with one SR at 0 and one at half
 * the interval, a late start left video ahead of audio until the 5 s report, then the picture jumped.
 * A second apart, the first SR it can use follows its start within a second. RFC 3550 §6.2 lets
 * the minimum interval shrink with the session's bandwidth (360 / kb/s), and five 60-byte
 * reports are nothing beside the media.
 */
const EARLY_SRS = 5;
const EARLY_SR_MS = 1000;

// Payloads depend only on the unit and the MTU, so every reader of a file shares them.
const payloadCache = new WeakMap<AccessUnit, { mtu: number; payloads: Uint8Array[] }>();
function payloadsOf(track: Track, au: AccessUnit, mtu: number): Uint8Array[] {
  const hit = payloadCache.get(au);
  if (hit && hit.mtu === mtu) return hit.payloads;
  const payloads = packetizeAccessUnit(track, au, mtu);
  payloadCache.set(au, { mtu, payloads });
  return payloads;
}

// Whether a video unit is droppable (non-reference) is decided once per unit, for every thinned reader of the file.
const droppableCache = new WeakMap<AccessUnit, boolean>();
function isDroppable(track: Track, au: AccessUnit): boolean {
  let d = droppableCache.get(au);
  if (d === undefined) droppableCache.set(au, (d = frameClassOfUnit(track.codec, au.data) === 'droppable'));
  return d;
}

export class FilePlayback implements Playback {
  /** One cursor per file track; only the ones a client set up are `active`. */
  private readonly all: Cursor[];
  private cursors: Cursor[] = [];
  state: PlaybackState = 'ready';
  /** npt (seconds) where the clock starts on the next play(). */
  private position = 0;
  private end: number;
  private wallStart = 0;
  private mediaStart = 0;
  onEnd: (() => void) | undefined;
  onExhausted: (() => boolean) | undefined;

  constructor(
    private file: SeekableMedia,
    /** Where packets go; the session sets itself here once it exists. */
    public sink: PacketSink,
    private readonly opts: PlaybackOptions,
  ) {
    this.end = file.duration;
    this.all = file.tracks.map((track) => {
      return {
        track,
        units: file.units[track.id]!,
        sender: new RtpSenderState(track.payloadType, track.clockRate, opts.cname),
        next: 0,
        skipToKey: false,
        lastSrAt: -Infinity,
        srsSincePlay: 0,
      };
    });
  }

  replaceMedia(media: SeekableMedia): void {
    if (media.tracks.length !== this.file.tracks.length) throw new RangeError(`${media.path} has ${media.tracks.length} tracks, not ${this.file.tracks.length}`);
    this.pause();
    this.file = media;
    for (const c of this.all) {
      c.units = media.units[c.track.id]!;
      c.next = 0;
      c.skipToKey = false;
    }
    this.position = Math.min(this.position, media.duration);
    this.end = media.duration;
    if (this.state !== 'ready') this.state = 'paused';
  }

  /** Sends this track from now on (SETUP); its SSRC is fixed from here so SETUP can announce it. */
  activate(trackId: number): number {
    const c = this.all[trackId];
    if (!c) throw new RangeError(`no track ${trackId}`);
    if (!this.cursors.includes(c)) {
      this.cursors = this.all.filter((x) => x === c || this.cursors.includes(x));
      this.seek(this.position);
    }
    return c.sender.ssrc;
  }

  ssrcOf(trackId: number): number | undefined {
    return this.all[trackId]?.sender.ssrc;
  }

  /** Current npt in seconds: the media clock while playing, the resume point otherwise. */
  currentPosition(): number {
    if (this.state !== 'playing') return this.position;
    return Math.min(this.end, this.mediaStart + (this.opts.now() - this.wallStart) / 1000);
  }

  get duration(): number {
    return this.file.duration;
  }

  /**
   * Moves the cursor so playback starts at the video key frame at or before `npt` (audio from the
   * same instant) and returns that actual start; RFC 2326 §12.29 has the server report it in Range.
   */
  seek(npt: number, end?: number): number {
    const video = this.cursors.find((c) => c.track.kind === 'video');
    let start = Math.max(0, npt);
    let videoIndex = 0;
    if (video && video.units.length > 0) {
      videoIndex = Math.max(0, keyUnitIndexAtOrBefore(video.units, Math.round(start * video.track.clockRate)));
      // Before the first key frame (audio priming comes first in most files) start at npt itself,
      // so audio from that instant is not lost; otherwise at the key frame, so video decodes at once.
      const keyTime = video.units[videoIndex]!.pts / video.track.clockRate;
      if (keyTime <= start) start = keyTime;
    }
    for (const c of this.cursors) {
      const at = Math.round(start * c.track.clockRate);
      // A text track starts with the cue showing at `start`, if any, so a seek into a cue shows it.
      c.next = c === video ? videoIndex : c.track.kind === 'text' ? textUnitIndexAt(c.units, at) : firstUnitIndexAtOrAfter(c.units, at);
      c.skipToKey = false;
    }
    this.position = start;
    this.end = end !== undefined ? Math.min(end, this.file.duration) : this.file.duration;
    if (this.state === 'ended') this.state = 'ready';
    if (this.state === 'playing') this.startClock();
    return start;
  }

  /** RTP-Info for the current position (RFC 2326 §12.33: seq of the first packet, rtptime of the Range start). */
  rtpInfo(): TrackRtpInfo[] {
    const pos = this.currentPosition();
    return this.cursors.map((c) => ({
      trackId: c.track.id,
      seq: c.sender.seq,
      rtptime: c.sender.timestampAt(Math.round(pos * c.track.clockRate)),
    }));
  }

  play(): void {
    if (this.state === 'playing') return;
    this.state = this.isExhausted() ? 'ended' : 'playing';
    if (this.state !== 'playing') return;
    this.startClock();
    // An SR at once gives the client its wallclock anchor before the first frame; the next ones
    // follow a second apart (EARLY_SRS).
    const now = this.opts.now();
    for (const c of this.cursors) {
      c.srsSincePlay = 0;
      this.sendSr(c, now);
    }
    this.tick();
  }

  pause(): void {
    if (this.state !== 'playing') return;
    this.position = this.currentPosition();
    this.state = 'paused';
  }

  /** Sends every unit whose decode time has come; called by the shared pacer every few ms. */
  tick(): void {
    if (this.state !== 'playing') return;
    const now = this.opts.now();
    const media = this.mediaStart + (now - this.wallStart) / 1000;
    for (const c of this.cursors) {
      const due = Math.floor(media * c.track.clockRate);
      const endUnits = Math.round(this.end * c.track.clockRate);
      while (c.next < c.units.length) {
        const au = c.units[c.next]!;
        if (au.dts > due) break;
        if (au.pts >= endUnits && this.end < this.file.duration) {
          c.next = c.units.length;
          break;
        }
        c.next++;
        this.sendUnit(c, au);
      }
      const interval = c.srsSincePlay < EARLY_SRS ? Math.min(EARLY_SR_MS, this.opts.rtcpIntervalMs) : this.opts.rtcpIntervalMs;
      if (now - c.lastSrAt >= interval) this.sendSr(c, now);
    }
    if (this.isExhausted()) this.finish();
  }

  /** RTCP BYE on every track (RFC 3550 §6.6), e.g. at TEARDOWN or server shutdown. */
  bye(reason?: string): void {
    const wall = this.opts.wall();
    const pos = this.currentPosition();
    for (const c of this.cursors) {
      this.sink.rtcp(c.track.id, c.sender.bye(c.sender.timestampAt(Math.round(pos * c.track.clockRate)), wall, reason));
    }
  }

  stats(): { trackId: number; ssrc: number; packets: number; octets: number }[] {
    return this.cursors.map((c) => ({ trackId: c.track.id, ssrc: c.sender.ssrc, packets: c.sender.packetCount, octets: c.sender.octetCount }));
  }

  private startClock(): void {
    this.wallStart = this.opts.now();
    this.mediaStart = this.position;
  }

  private isExhausted(): boolean {
    return this.cursors.every((c) => c.next >= c.units.length);
  }

  private finish(): void {
    if (this.end >= this.file.duration && this.onExhausted?.()) {
      this.position = this.end;
      this.state = 'paused';
      return;
    }
    this.position = this.end;
    this.state = 'ended';
    this.bye('end of stream');
    this.onEnd?.();
  }

  private sendUnit(c: Cursor, au: AccessUnit): void {
    if (c.skipToKey) {
      if (!au.key) return;
      c.skipToKey = false;
    }
    // A thinned reader's frames are skipped whole before packetization: its sender state numbers
    // only what it gets, so its seq, RTP-Info and SR counts stay its own without any rewrite.
    const thin = this.sink.thinning;
    if (thin && c.track.kind === 'video' && !thin.passUnit(au.key, isDroppable(c.track, au))) return;
    const payloads = payloadsOf(c.track, au, this.opts.mtu);
    const ts = c.sender.timestampAt(au.pts);
    const last = payloads.length - 1;
    for (let i = 0; i <= last; i++) {
      // RFC 6184 §5.1 / RFC 3640 §3.2.3: marker on the last packet of an access unit; T.140 (RFC 4103
      // §3) marks a cue, not the empty packet that clears it.
      const marker = i === last && !(c.track.kind === 'text' && payloads[i]!.length === 0);
      const pkt = c.sender.packet(payloads[i]!, marker, ts, this.sink.headroom);
      if (!this.sink.rtp(c.track.id, pkt)) {
        if (c.track.kind === 'video') c.skipToKey = true;
        return;
      }
    }
  }

  private sendSr(c: Cursor, now: number): void {
    c.lastSrAt = now;
    c.srsSincePlay++;
    const media = this.state === 'playing' ? this.mediaStart + (now - this.wallStart) / 1000 : this.position;
    const rtpTs = c.sender.timestampAt(Math.round(media * c.track.clockRate));
    this.sink.rtcp(c.track.id, c.sender.senderReport(rtpTs, this.opts.wall()));
  }
}
