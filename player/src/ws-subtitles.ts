// The ws mode's subtitles: a T.140 text track (RFC 4103, one cue per packet) received beside the video, its cues placed on the
// sender wallclock through the same RTP-to-wallclock mapping the A/V sync uses for the frames, drawn with the frame shown.
import type { Track } from '../../server/media/track.js';
import { languageName } from '../../server/media/language.js';
import { T140_CLOCK, T140Depacketizer } from '../../server/rtp/codecs/t140.js';
import { parseRtpPacket } from '../../server/rtp/packet.js';
import { parseRtcpCompound } from '../../server/rtp/rtcp.js';
import { CueSchedule, OpenCueBuilder } from './cue-schedule.js';
import type { AudioChoice } from './engine.js';
import { RtpClock } from './rtp-clock.js';

/** Text units kept: the cues around the picture on screen, not a session's history. */
const MAX_UNITS = 256;

/**
 * Two mappings through two SRs (the text track's 1 kHz clock, the video's 90 kHz one) disagree by a
 * millisecond or two: a frame this close before a cue's start counts as at it (measured 1.5 ms
 * in Chromium, which put the cue on the next frame, 40 ms late at 25 fps).
 */
const MAPPING_SLACK_MS = 5;

/** Sender wallclock (Unix ms) of RTP time `ts` on `clock`, as the A/V sync maps it now (AvSync.wallclockOf). */
export type WallclockOf = (clock: RtpClock, ts: number) => number | undefined;

/**
 * The cues of one T.140 track. A unit (packet) is a cue from its RTP time until the next unit; an
 * empty one clears. Units are kept in RTP time and mapped to the wallclock at each look-up, so a
 * refit of the mapping (the first SR after arrival timing, a later SR) moves the cues with the frames.
 */
export class RtpTextCues {
  readonly clock = new RtpClock(T140_CLOCK);
  private depack = new T140Depacketizer();
  private units: { ts: number; text: string }[] = [];
  /** Units received, and those after a gap (a cue before them may be missing). */
  received = 0;
  damaged = 0;

  constructor(private readonly wallclockOf: WallclockOf) {}

  onRtp(bytes: Uint8Array, arrivalUnixMs: number): void {
    let p;
    try {
      p = parseRtpPacket(bytes);
    } catch {
      return;
    }
    this.clock.noteArrival(p.timestamp, arrivalUnixMs, p.sequenceNumber);
    for (const f of this.depack.push({ payload: p.payload, marker: p.marker, timestamp: p.timestamp, sequenceNumber: p.sequenceNumber })) {
      this.received++;
      if (f.damaged) this.damaged++;
      const text = f.data.length ? new TextDecoder().decode(f.data[0]) : '';
      this.units.push({ ts: f.timestamp >>> 0, text });
      if (this.units.length > MAX_UNITS) this.units.shift();
    }
  }

  onRtcp(bytes: Uint8Array): void {
    let packets;
    try {
      packets = parseRtcpCompound(bytes);
    } catch {
      return;
    }
    for (const p of packets) if (p.type === 'sr') this.clock.onSenderReport(p);
  }

  /** The text shown with the video frame whose sender wallclock is `frameWallMs` ('' for none). */
  textAt(frameWallMs: number): string {
    const timed: { at: number; text: string }[] = [];
    for (const u of this.units) {
      const w = this.wallclockOf(this.clock, u.ts);
      if (w !== undefined) timed.push({ at: w / 1000, text: u.text });
    }
    timed.sort((a, b) => a.at - b.at);
    const schedule = new CueSchedule();
    const builder = new OpenCueBuilder(schedule);
    for (const t of timed) builder.push(t.at, t.text);
    return schedule.textAt((frameWallMs + MAPPING_SLACK_MS) / 1000);
  }

  /** A new timeline (seek, reconnect): the units and the clock's anchor go. */
  reset(): void {
    this.units = [];
    this.clock.reset();
    this.depack = new T140Depacketizer();
  }
}

/** The menu id of a text track: its language, else "track<id>" (what `pickTracks` takes back). */
const textId = (t: Track): string => t.language ?? `track${t.id}`;

/** A text track this player can show: T.140 (the codec name a description gives `m=text ... t140/1000`). */
export const isTextTrack = (t: Track): boolean => (t.codec as string) === 'T140';

/** The ws engine's set-up text track: packets in, the overlay drawn with each video frame shown, the menu's entries. */
export class WsSubtitles {
  readonly cues: RtpTextCues;
  private on: boolean;

  constructor(
    readonly track: Track,
    private readonly overlay: { show(text: string): void } | undefined,
    wallclockOf: WallclockOf,
    on = true,
  ) {
    this.cues = new RtpTextCues(wallclockOf);
    this.on = on;
  }

  onRtp(bytes: Uint8Array): void {
    this.cues.onRtp(bytes, performance.timeOrigin + performance.now());
  }

  onRtcp(bytes: Uint8Array): void {
    this.cues.onRtcp(bytes);
  }

  /** With each video frame drawn: its sender wallclock (undefined before the mapping has one). */
  shown(frameWallMs: number | undefined): void {
    this.show(this.on && frameWallMs !== undefined ? this.cues.textAt(frameWallMs) : '');
  }

  private shownText = '';
  private show(text: string): void {
    this.shownText = text;
    this.overlay?.show(text);
  }

  get id(): string {
    return textId(this.track);
  }

  /** Every text track of the description (`described`), the one set up current while on. */
  choices(described: readonly Track[]): { choices: AudioChoice[]; current: string | null } {
    const text = described.filter(isTextTrack);
    const choices = (text.length ? text : [this.track]).map((t, i) => ({ id: textId(t), label: t.name ?? (t.language ? languageName(t.language) : `Subtitles ${i + 1}`) }));
    return { choices, current: this.on ? this.id : null };
  }

  /**
   * Off (null) or on in place (the track stays set up, only the drawing stops); false for another
   * track, which takes a new SETUP.
   */
  set(id: string | null): boolean {
    if (id !== null && id !== this.id) return false;
    this.on = id !== null;
    if (!this.on) this.show('');
    return true;
  }

  stats(described: readonly Track[]): { subtitles: string | null; subtitleChoices: string[]; cue: string } {
    return { subtitles: this.on ? this.id : null, subtitleChoices: this.choices(described).choices.map((c) => c.id), cue: this.shownText };
  }

  reset(): void {
    this.cues.reset();
    this.show('');
  }
}
