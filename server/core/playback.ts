// One reader's cursor over a seekable media, as delivery drives it: where its RTP goes, seek, play, pause, RTCP.
import type { Paced } from './pacer.js';
import type { AccessUnit } from '../media/access-unit.js';
import type { Track } from '../media/track.js';

/** A SeekableMedia's shape, named here so that seekable-media.ts (which imports this file) need not be imported back. */
export interface PlayableMedia {
  readonly path: string;
  readonly tracks: Track[];
  readonly units: AccessUnit[][];
  readonly duration: number;
}

/** Where a reader's packets go: a UDP pair or a TCP connection. */
export interface PacketSink {
  /** Free bytes wanted in front of each RTP packet (4 for the TCP interleaved header). */
  readonly headroom: number;
  /** Sends one RTP packet (with `headroom` bytes in front); false when the reader's queue is full. */
  rtp(trackId: number, packet: Uint8Array): boolean;
  rtcp(trackId: number, data: Uint8Array): void;
  /** Set while the reader is thinned: asked per video frame whether it gets it (core/thinner.ts). */
  readonly thinning?: { passUnit(key: boolean, droppable: boolean): boolean } | undefined;
}

/** A sink that accepts and drops everything: a playback's sink until its session exists. */
export const NO_SINK: PacketSink = { headroom: 0, rtp: () => true, rtcp: () => undefined };

export interface PlaybackOptions {
  mtu: number;
  rtcpIntervalMs: number;
  cname: string;
  /** Monotonic milliseconds (performance.now): pacing never follows wallclock steps. */
  now: () => number;
  /** Wallclock milliseconds for RTCP NTP times. */
  wall: () => number;
}

export interface TrackRtpInfo {
  trackId: number;
  seq: number;
  rtptime: number;
}

export type PlaybackState = 'ready' | 'playing' | 'paused' | 'ended';

/**
 * A reader's own cursor (made by the source of the media, see MediaFiles.playback): paced by the
 * shared Pacer through tick(), sending RTP and RTCP of the tracks it was told to activate.
 */
export interface Playback extends Paced {
  state: PlaybackState;
  /** Where packets go; the session sets itself here once it exists. */
  sink: PacketSink;
  /** Called once the end is reached (after the BYE went out). */
  onEnd: (() => void) | undefined;
  /**
   * Called when every unit was sent, before the end: true holds the end off (the playback pauses at
   * its last position, no BYE) while the caller fetches what follows (a recording's next window).
   */
  onExhausted: (() => boolean) | undefined;
  /** Seconds. */
  readonly duration: number;
  /**
   * The same cursor (SSRC, sequence numbers, active tracks) over another media with the same tracks: a
   * recording's other window, or a trick-play view of it. The position stays as a number; the caller seeks.
   */
  replaceMedia(media: PlayableMedia): void;
  /** Sends this track from now on (SETUP); returns its SSRC, fixed from here so SETUP can announce it. */
  activate(trackId: number): number;
  ssrcOf(trackId: number): number | undefined;
  /** Current npt in seconds: the media clock while playing, the resume point otherwise. */
  currentPosition(): number;
  /** Moves to the video key frame at or before `npt` (audio from the same instant); returns that actual start. */
  seek(npt: number, end?: number): number;
  /** RTP-Info for the current position (RFC 2326 §12.33). */
  rtpInfo(): TrackRtpInfo[];
  play(): void;
  pause(): void;
  /** RTCP BYE on every active track (RFC 3550 §6.6). */
  bye(reason?: string): void;
  stats(): { trackId: number; ssrc: number; packets: number; octets: number }[];
}
