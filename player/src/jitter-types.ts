// Public shapes of the player's jitter buffer: the packets it takes, its options, what it releases and its statistics.

import type { PlayoutDelayOptions } from './playout-delay.js';

export interface RtpPacketIn {
  seq: number;
  timestamp: number;
  marker: boolean;
  payload: Uint8Array;
  /** Local arrival time, ms, on the same clock as `now` (performance.now() in the page). */
  arrivalMs: number;
}

export interface JitterBufferOptions extends PlayoutDelayOptions {
  /** The track's RTP clock rate (SDP a=rtpmap), e.g. 90000 video, 48000 audio. */
  clockRate: number;
  /** Most packets held; one beyond drops the oldest (counted `overflow`). Default 2048. */
  maxPackets?: number;
  /**
   * Longest a packet is held after its arrival, whatever its timestamp says. Default 2 x maxDelayMs.
   * A sane packet is never held longer than the target; this bounds the harm of a bogus timestamp
   * far in the future, which would otherwise hold every packet behind it.
   */
  maxHoldMs?: number;
  /**
   * Most a missing packet is waited for past its playout time when packets given up on have been
   * arriving after all (see `lossWaitMs`). Default 500 ms.
   */
  maxLossWaitMs?: number;
  /**
   * The packets come over a transport that loses nothing (RTSP interleaved over TCP/WebSocket): a
   * missing packet is only late, so it is always waited for up to maxLossWaitMs, from the first
   * gap on, instead of the wait being learnt from late arrivals first. A give-up costs the frames
   * to the next key frame (seen: a one-second stall when jitter starts); a wait costs one late frame.
   */
  reliableTransport?: boolean;
  /** Local clock in ms; `pop()`/`stats()` without an argument read it. Default performance.now(). */
  now?: () => number;
}

export interface Released<P> {
  packet: P;
  /** Local time this packet was due. */
  playoutMs: number;
  /** How long after its playout time it left (0 when on time; large for packets that came late). */
  lateMs: number;
  /** Packets given up on (lost, or dropped by overflow) just before this one: its frame may be broken. */
  gapBefore: number;
}

export interface JitterStats {
  /** Packets pushed, all of them. */
  packets: number;
  /** Packets handed out by `pop()`. */
  released: number;
  /** Sequence numbers given up on when the packet after them was due. */
  lost: number;
  /** Packets that came after their place was given up (dropped), or stray sequence jumps. */
  late: number;
  /** Released after their playout time (they came late but their place was still open). */
  overdue: number;
  /** Packets that arrived after a higher-numbered one. */
  reordered: number;
  duplicates: number;
  /** Held packets dropped because `maxPackets` were held. */
  overflow: number;
  /** Sequence restarts and timeline rebases. */
  resyncs: number;
  /** RFC 3550 §6.4.1 interarrival jitter, in ms. */
  jitterMs: number;
  /** Media time held: how long playback could go on with no new packet. */
  depthMs: number;
  /** Adaptive target: Ramjee d + 4v, bounded, and at least the floor (`setMinDelayMs`). */
  targetMs: number;
  /** The target without the floor: what the network alone asks for. */
  networkTargetMs: number;
  /** Playout delay applied now (follows the target at most ~100 ms per second). */
  delayMs: number;
  /** Packets held now. */
  held: number;
  /**
   * How long past its playout time a missing packet is waited for now: 0 until a packet given
   * up on arrives after all, then how late it came (+20 %), halving every 10 s.
   */
  lossWaitMs: number;
}
