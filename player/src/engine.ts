// What the page's controls drive: one engine per mode (ws, hls, mp4), all with the same surface.

export type Mode = 'ws' | 'hls' | 'mp4';
export const MODES: readonly Mode[] = ['ws', 'hls', 'mp4'];

export type PlayerState = 'connecting' | 'playing' | 'paused' | 'reconnecting' | 'ended' | 'error';

/** Per-track receive figures (PLAYER.md): the ws mode fills them from its jitter buffers. */
export interface TrackStats {
  codec: string;
  packets: number;
  lost: number;
  late: number;
  reordered: number;
  duplicates: number;
  jitterMs: number;
  bufferDepthMs: number;
  playoutTargetMs: number;
  /** What the network alone asks for (Ramjee d + 4v); the target is the higher of it and the lip-sync floor. */
  networkTargetMs: number;
  playoutDelayMs: number;
  /** Frames out of the depacketizer / decoded. */
  framesIn: number;
  framesDecoded: number;
  senderReports: number;
}

export interface EngineStats {
  tracks: { video?: TrackStats; audio?: TrackStats };
  /** Audio clock minus the shown frame's wallclock, ms, smoothed: positive = audio ahead. */
  avSkewMs: number | null;
  /** Now minus the sender wallclock (RTCP SR) of the frame on screen, ms. */
  e2eLatencyMs: number | null;
  framesDecoded: number;
  framesDropped: number;
  framesShown: number;
  audioFramesDecoded: number;
  /** Video frames skipped while waiting for a key frame after loss. */
  keyFrameWaits: number;
  /** ws mode: 'sr' (both tracks on RTCP SR), 'arrival' (before the first SRs) or 'video' (no audio clock). */
  syncMode: 'sr' | 'arrival' | 'video' | null;
  /** ws mode: extra audio delay (ms) given so video frames are decoded in time (lip sync). */
  audioFloorMs: number | null;
  /** Audio frames of a live join's GOP burst skipped for being behind their playout point. */
  audioDroppedLate: number;
  /**
   * ws mode: times the audio output started a new schedule instead of playing on back to back
   * (it ran dry, or was more than 300 ms off its playout time). A few per minute at most on a
   * healthy page; each one is a gap or a jump in the sound.
   */
  audioOutputResyncs: number;
  /** ws mode: audio frames skipped to bring a schedule more than 300 ms late back (after a stall). */
  audioOutputSkipped: number;
  /** ws mode: the restarts by cause (ran dry, a jump in the audio's media time, far ahead of its playout time). */
  audioOutputRestartCauses: { dry: number; mediaGap: number; early: number };
  /** ws mode: extra time audio is scheduled ahead, learnt from the output running dry (a busy page), ms. */
  audioOutputGuardMs: number;
  /** The language of the audio playing (its track's code, e.g. "fre"), null when untagged or no audio. */
  audioLanguage: string | null;
  /** ws mode: channels of the audio last decoded (what is heard, not what the description says). */
  audioChannels: number | null;
  /** The ids of the audio alternatives offered in the language menu (empty without a choice). */
  audioChoices: string[];
  /** The subtitles shown (their menu id, e.g. "en"), null when off or none. */
  subtitles: string | null;
  /** The ids of the subtitle alternatives in the subtitles menu (besides Off). */
  subtitleChoices: string[];
  /** The subtitle text on screen now ('' for none). */
  cue: string;
}

/** One audio alternative of a stream, for the language menu. */
export interface AudioChoice {
  /** The language code ("fre"), or "track<id>" for an untagged track. */
  id: string;
  /** What the menu shows: the track's own name, else its language's name. */
  label: string;
}

export interface EngineEvents {
  state(s: PlayerState, detail?: string): void;
  /** Seconds until the next reconnect attempt (0 when it starts), for the visible countdown. */
  reconnectIn(seconds: number): void;
  /** A track left out (the browser cannot decode it) while the rest plays: shown until the page leaves. */
  trackLeftOut?(message: string): void;
}

export interface Engine {
  readonly mode: Mode;
  start(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Seconds from the start; only when `duration` is known. */
  seek(seconds: number): Promise<void>;
  setVolume(volume: number, muted: boolean): void;
  /** Seconds, or undefined for a live path. */
  readonly duration: number | undefined;
  /** Seconds of media time now playing. */
  position(): number;
  stats(): Partial<EngineStats>;
  /** The audio alternatives (two or more, else none) and the id of the one playing. */
  audioChoices?(): { choices: AudioChoice[]; current: string | null };
  /**
   * Plays another audio alternative in place (hls.js audio tracks). An engine without it is
   * restarted by the page on the same position with the new choice (ws mode: a new SETUP).
   */
  setAudio?(id: string): void;
  /** The subtitle alternatives (each one offered besides Off) and the id of the one shown (null: off). */
  subtitleChoices?(): { choices: AudioChoice[]; current: string | null };
  /**
   * Shows another subtitle alternative, or none (null). False: not in place (ws mode: another text
   * track to set up), and the page restarts the engine at the same position with the new choice.
   */
  setSubtitles?(id: string | null): boolean;
  close(): Promise<void>;
}

/** A message the page shows as is (unknown path, unsupported codec): no reconnect will fix it. */
export class FatalPlayerError extends Error {
  override readonly name = 'FatalPlayerError';
  constructor(
    message: string,
    readonly kind: 'not-found' | 'unsupported' | 'other',
  ) {
    super(message);
  }
}
