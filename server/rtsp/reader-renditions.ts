// One RTSP reader's place on its path's rendition ladder: its QoS state after each receiver report goes to a
// RenditionStepper (core/rendition-steps.ts), and a step is carried out by a ReaderSwitch (core/reader-switch.ts) that
// moves the reader to the rendition's stream at a key frame with continuous numbering. The rendition's on-demand
// ffmpeg starts when the first reader is switched to it and stops after its last one leaves, as for any reader.
import { ReaderSwitch } from '../core/reader-switch.js';
import { RenditionStepper, renditionLadder } from '../core/rendition-steps.js';
import type { Counters } from '../core/counters.js';
import type { OutPacket } from '../core/out-packet.js';
import type { QosState } from '../core/qos.js';
import type { Stream, StreamReader } from '../core/stream.js';
import { renditionPathName, type Rendition } from '../config-renditions.js';
import type { RtspSession } from './session.js';

export const RENDITION_SWITCHES = 'qos_rendition_switches';

/** What the server lends a reader to reach its path's renditions. */
export interface RenditionAccess {
  /** The path's renditions as configured now (a reload applies). */
  renditions(path: string): readonly Rendition[];
  /** A live path's stream, its on-demand source started and waited for; throws when it cannot start. */
  open(path: string): Promise<Stream>;
  /** Told of each switch done or given up (the server logs it). */
  note?(session: RtspSession, message: string, fields: Record<string, unknown>): void;
}

/** What the reader's QoS does around a switch (reader-qos.ts). */
export interface SwitchHooks {
  /** At the switch itself, before the new stream's first packet: the reader's QoS starts over. */
  switched(): void;
  /** Withhold (true) or resume (false) the reader's video until the switch: its link drains meanwhile. */
  drain(on: boolean): void;
}

export class ReaderRenditions {
  private readonly stepper: RenditionStepper;
  private sw: ReaderSwitch | undefined;
  /** Bumped by stop(): a switch under way for an older generation is dropped when its stream arrives. */
  private generation = 0;
  /** A look at a freshly started rendition, waiting for its first key frame. */
  private watching: { stream: Stream; reader: StreamReader } | undefined;

  constructor(
    private readonly session: RtspSession,
    private readonly access: RenditionAccess,
    private readonly counters: Counters,
    private readonly now: () => number,
    private readonly hooks: SwitchHooks,
  ) {
    this.stepper = new RenditionStepper(0, { now: this.now });
  }

  /** `main`, or the name of the rendition the reader gets now. */
  get current(): string {
    return this.stepper.level === 0 ? 'main' : (this.ladder()[this.stepper.level - 1]?.name ?? 'main');
  }

  /** Whether the reader's packets come through a switch (their numbering is the switch's, not the stream's). */
  get switched(): boolean {
    return this.sw !== undefined;
  }

  /** Whether the path has renditions at all (the API shows `rendition` only then). */
  get applies(): boolean {
    return this.ladder().length > 0;
  }

  /** The link's state after a report; `enabled` is the path's qos.renditions and whether this reader can be switched. */
  report(state: QosState, enabled: boolean): void {
    // A live session turned to the path's recording (PLAY with a clock= range) has nothing to switch.
    if (this.session.media.kind !== 'live') return;
    const ladder = this.ladder();
    this.stepper.rungs = ladder.length;
    if (this.stepper.pending) return;
    if (!enabled || this.stepper.level > ladder.length) {
      // Switched off by a reload, or the ladder shrank: straight back to the main path.
      if (this.stepper.level > 0 && this.session.state === 'playing') {
        this.stepper.pending = true;
        void this.go(0);
      }
      return;
    }
    const to = this.stepper.report(state);
    if (to !== undefined) void this.go(to);
  }

  /** PAUSE, TEARDOWN, session end: lets go of every stream; a PLAY after starts again on the main path. */
  stop(): void {
    this.generation++;
    this.unwatch();
    this.hooks.drain(false);
    this.sw?.close();
    this.sw = undefined;
    this.stepper.reset();
  }

  private ladder(): Rendition[] {
    return renditionLadder(this.access.renditions(this.session.path));
  }

  private async go(level: number): Promise<void> {
    const gen = this.generation;
    const s = this.session;
    const rung = level === 0 ? undefined : this.ladder()[level - 1];
    const name = rung?.name ?? 'main';
    const from = this.current;
    const giveUp = (why: string): void => {
      if (gen !== this.generation) return;
      this.stepper.switched(level, false);
      this.access.note?.(s, `not switched from ${from} to ${name}: ${why}`, { from, to: name });
    };
    if (s.media.kind !== 'live') return giveUp('not a live reader');
    const main = s.media.stream;
    let target: Stream;
    try {
      target = rung ? await this.access.open(renditionPathName(s.path, rung.name)) : main;
    } catch (e) {
      return giveUp((e as Error).message);
    }
    if (gen !== this.generation) return;
    if (s.state !== 'playing' || main.ended) return giveUp('the reader is not playing');
    const down = level > this.stepper.level;
    // A rendition just started sends its first GOP in a burst (its ffmpeg encodes the main path's cached GOP
    // at once): a failing link would lose it. Down switches take its next key frame, which comes in real time.
    if (down && target.keyTrack >= 0 && !target.lastPacket(target.keyTrack)) {
      const started = await this.firstKeyFrame(target);
      if (gen !== this.generation) return;
      if (!started) return giveUp(`${name} ended before its first key frame`);
    }
    if (!this.sw) {
      // The reader leaves the stream's own fan-out for the switch's, in one turn: no packet is lost or doubled.
      main.detach(s);
      this.sw = new ReaderSwitch(this.reader(), main, this.now);
    }
    // Down: the failing link gets no more video until the switch (at most a GOP of the rendition), so that
    // the queue in front of it drains and the rendition's first key frame arrives whole.
    if (down) this.hooks.drain(true);
    // Done at the key frame itself, before it goes out: the reader's QoS (and thinning) starts over on the new stream.
    const taken = (): void => {
      if (gen !== this.generation) return;
      this.hooks.drain(false);
      this.stepper.switched(level, true);
      this.counters.inc(RENDITION_SWITCHES, { to: name });
      this.hooks.switched();
    };
    const ok = await this.sw.switchTo(target, taken);
    if (gen !== this.generation) return;
    if (!ok) {
      this.hooks.drain(false);
      return giveUp(`${name} ended before its next key frame`);
    }
    this.access.note?.(s, `switched from ${from} to ${name}`, { from, to: name });
  }

  /** Resolves true after the stream's first video key frame went by (false if it ended first or stop() came). */
  private firstKeyFrame(stream: Stream): Promise<boolean> {
    this.unwatch();
    return new Promise<boolean>((done) => {
      const reader: StreamReader = {
        deliver: (p) => {
          if (p.trackId !== stream.keyTrack || !p.keyStart) return;
          this.unwatch();
          // A promise resolves after this turn's fan-out: the switch waits for the next key frame, not this one.
          done(true);
        },
        deliverRtcp: () => undefined,
        end: () => {
          this.unwatch();
          done(false);
        },
      };
      this.watching = { stream, reader };
      stream.attach(reader);
    });
  }

  private unwatch(): void {
    const w = this.watching;
    this.watching = undefined;
    w?.stream.detach(w.reader);
  }

  /** The session as the switch's reader: when a rendition ends under it (its ffmpeg stopped), back to the main path. */
  private reader(): StreamReader {
    const s = this.session;
    return {
      deliver: (p: OutPacket) => s.deliver(p),
      deliverRtcp: (trackId: number, data: Uint8Array) => s.deliverRtcp(trackId, data),
      end: (why: string) => this.ended(why),
    };
  }

  private ended(why: string): void {
    const s = this.session;
    const main = s.media.kind === 'live' ? s.media.stream : undefined;
    const onRendition = this.sw !== undefined && this.sw.stream !== main;
    this.sw = undefined;
    this.generation++;
    this.stepper.reset();
    if (onRendition && main && !main.ended && s.state === 'playing') {
      // Its own numbering again from the next key frame: to the client, a jump as after a loss.
      s.waitKey = true;
      main.attach(s);
      this.access.note?.(s, `back to main: the rendition ended (${why})`, { to: 'main' });
      this.hooks.drain(false);
      this.hooks.switched();
      return;
    }
    s.end(why);
  }
}
