// The ws mode: a real RTSP client over WebSocket; jitter buffers, RTCP-SR A/V sync with the audio clock as master, WebCodecs, canvas + WebAudio.
import { seqDiff } from '../../server/rtp/sequence.js';
import { AudioDecode } from './audio-decode.js';
import type { AudioOut } from './audio-out.js';
import { AudioOutputMap } from './audio-output-map.js';
import { updateAudioPosition } from './audio-schedule.js';
import { AvSync } from './av-sync.js';
import { FatalPlayerError, type AudioChoice, type Engine, type EngineEvents, type EngineStats } from './engine.js';
import { audioChoicesOf, choiceId, pickTracks, playableAudio } from './track-choice.js';
import { LipSync } from './lip-sync.js';
import { LoginNeededError, withToken } from './login.js';
import { RtspStatusError } from './rtsp-ws.js';
import { RtspSession } from './rtsp-session.js';
import { RedirectedError, redirectTarget, type RedirectTarget } from './redirect.js';
import type { SyncProbe } from './sync-probe.js';
import { round1 } from './round.js';
import { TrackReceiver, unixNow } from './track-receiver.js';
import { UnsupportedCodecError, VideoDecode } from './video-decode.js';
import { VideoOut } from './video-out.js';
import { WsAudio } from './ws-audio.js';
import { isTextTrack, WsSubtitles } from './ws-subtitles.js';
import type { CueOverlay } from './cue-overlay.js';

export interface WsEngineOptions {
  canvas: HTMLCanvasElement;
  audio: AudioOut;
  probe: SyncProbe;
  /** Path on the server, e.g. "sample.mp4" or "live/cam". */
  path: string;
  /** Where to start a file (seconds), e.g. the position before a reconnect. */
  startAt?: number;
  events: EngineEvents & { dropped(e: Error): void; redirected(to: RedirectTarget): void };
  /** Overrides for tests: where the RTSP-over-WebSocket endpoint is (a jitter relay); and after a REDIRECT, the other server's. */
  wsUrl?: string;
  /** The stream's RTSP URL after a REDIRECT (else rtsp://<page host>/<path>). */
  rtspUrl?: string;
  /** A login token (POST /api/v1/login), sent as ?token= on the WebSocket URL. */
  token?: string;
  /** The audio alternative to set up (a language such as "fre", or "track<id>"); the first when absent or unknown. */
  language?: string;
  /** Where subtitle cues are drawn, and the text track to show (a language, "track<id>", or "off"). */
  overlay?: CueOverlay;
  subtitles?: string;
}

/** Per track while a PLAY is pending: RTP before the PLAY answer, or before RTP-Info's seq, is the old position's. */
interface Gate {
  closed: boolean;
  firstSeq: Map<number, number>;
}

export class WsEngine implements Engine {
  readonly mode = 'ws' as const;
  private session: RtspSession | undefined;
  private video: TrackReceiver | undefined;
  private audio: TrackReceiver | undefined;
  private subs: WsSubtitles | undefined;
  private vdec: VideoDecode | undefined;
  private adec: AudioDecode | undefined;
  private videoOut: VideoOut | undefined;
  private sync: AvSync | undefined;
  private audioMap: AudioOutputMap | undefined;
  private endedSaid = false;
  private lipSync: LipSync | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private paused = false;
  private gate: Gate = { closed: false, firstSeq: new Map() };
  /** npt of the PLAY answer and the RTP times it corresponds to, for the position display. */
  private nptStart = 0;
  private rtpAtStart = new Map<number, number>();
  private lastShownTs: number | undefined;
  private lastHeardTs: number | undefined;
  private keyFrameWaits = 0;
  /**
   * Video frames in the decoder that must not set the lip-sync floor, by RTP time; true: a frame of
   * the join. `joinInDecoder` counts those still in the decoder.
   */
  private readonly notForLipSync = new Map<number, boolean>();
  private joinInDecoder = 0;
  /** The audio path: its late-burst drops and the channels heard. */
  private audioPath: WsAudio | undefined;

  constructor(private readonly o: WsEngineOptions) {}

  get duration(): number | undefined {
    return this.session?.duration;
  }

  async start(): Promise<void> {
    const o = this.o;
    o.events.state('connecting');
    // The token rides in the URL: a browser cannot add headers to a WebSocket.
    const wsUrl = withToken(o.wsUrl ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rtsp`, o.token);
    const rtspUrl = o.rtspUrl ?? `rtsp://${location.hostname}/${o.path.replace(/^\/+/, '')}`;
    let session: RtspSession;
    try {
      session = await RtspSession.open(wsUrl, rtspUrl, (tracks) => pickTracks(tracks, o.language, o.subtitles));
    } catch (e) {
      const to = e instanceof RtspStatusError && e.status >= 300 && e.status < 400 && e.headers ? redirectTarget(e.headers) : undefined;
      if (to) throw new RedirectedError(to);
      if (e instanceof RtspStatusError && (e.status === 401 || e.status === 403)) throw new LoginNeededError(e.status, e.body.trim() || e.reason);
      if (e instanceof RtspStatusError && e.status === 404) {
        throw new FatalPlayerError(`"${o.path}" does not exist on this server: DESCRIBE answered 404${e.body ? ` (${e.body.trim()})` : ''}`, 'not-found');
      }
      if (e instanceof RtspStatusError && e.status === 415) throw new FatalPlayerError(`"${o.path}" cannot be played: ${e.body.trim() || e.reason}`, 'unsupported');
      if (e instanceof Error && e.name === 'SdpError') throw new FatalPlayerError(`the stream's description cannot be played: ${e.message}`, 'unsupported');
      throw e;
    }
    if (this.closed) return void session.close();
    this.session = session;
    try {
      await this.setupTracks(session);
    } catch (e) {
      await session.close();
      if (e instanceof UnsupportedCodecError) throw new FatalPlayerError(e.message, 'unsupported');
      throw e;
    }
    session.conn.onFrame = (ch, data) => this.onFrame(ch, data);
    session.conn.onClose = (e) => {
      if (!this.closed) o.events.dropped(e);
    };
    // A draining server sends REDIRECT: the page starts over at the other server (main.ts).
    session.conn.onRedirect = (to) => {
      if (!this.closed) o.events.redirected(to);
    };
    await this.play(o.startAt);
    this.schedulePump(0);
  }

  private async setupTracks(session: RtspSession): Promise<void> {
    const o = this.o;
    // A track the browser cannot decode is left out, said, and the rest plays (its RTP is dropped on arrival).
    const cannot: string[] = [];
    for (const st of session.tracks) {
      if (isTextTrack(st.track)) {
        this.subs = new WsSubtitles(st.track, o.overlay, (c, ts) => this.sync?.wallclockOf(c, ts) ?? c.arrivalWallclockMs(ts), o.subtitles !== 'off');
        continue;
      }
      const r = new TrackReceiver(st.track, { minDelayMs: 20, maxDelayMs: 2000, reliableTransport: true });
      try {
        if (st.track.kind === 'video') {
          const vdec = new VideoDecode(st.track);
          await vdec.check();
          [this.video, this.vdec] = [r, vdec];
        } else {
          const adec = new AudioDecode(st.track);
          await adec.check();
          [this.audio, this.adec] = [r, adec];
        }
      } catch (e) {
        if (!(e instanceof UnsupportedCodecError)) throw e;
        cannot.push(e.message);
      }
    }
    if (!this.video && !this.audio) throw new UnsupportedCodecError(cannot.join('; ') || 'the stream has no audio or video track this player can play');
    if (cannot.length) o.events.trackLeftOut?.(`${cannot.join('; ')}. Playing the ${this.video ? 'video' : 'sound'} alone.`);
    const audioMap = this.audio ? new AudioOutputMap(this.audio.track.clockRate, 512) : undefined;
    this.audioMap = audioMap;
    this.lipSync = new LipSync(this.video, this.audio);
    if (this.video) this.wireVideo(this.video);
    if (this.audio && this.adec) {
      this.audioPath = new WsAudio(this.audio, this.adec, o.audio, audioMap!, {
        silent: () => this.closed || this.paused,
        scheduled: (ts, heardUnixMs) => this.lipSync?.audioScheduled(ts, heardUnixMs),
      });
    }
  }

  /** Video from its jitter buffer through the decoder to the canvas, paced by the A/V sync. */
  private wireVideo(video: TrackReceiver): void {
    const o = this.o;
    const sync = new AvSync(video.clock, this.audio?.clock, { now: () => performance.now(), unixNow });
    this.sync = sync;
    this.videoOut = new VideoOut(o.canvas, {
      beforeRender: () => this.updateAudioPosition(),
      decide: (ts, now) => sync.decide(ts, now),
      shown: (frame, ts, now) => {
        this.lastShownTs = ts;
        this.subs?.shown(sync.wallclockOf(video.clock, ts));
        o.probe.onFrameShown(frame, o.audio.outputTime(now));
      },
    });
    const vdec = this.vdec!;
    video.onFrame = (f) => {
      const skipped = vdec.framesSkipped;
      vdec.push({ nalus: f.frame.data, rtpTime: f.rtpTime, damaged: f.frame.damaged === true });
      this.keyFrameWaits = vdec.keyFrameWaits;
      if (vdec.framesSkipped !== skipped) return; // not decoded: never comes out
      // Frames that left the jitter buffer late (the join's GOP burst, jitter beyond the target)
      // must not set the lip-sync floor: that would turn a one-off burst into seconds of delay.
      // Nor may the frames of the join (its burst, the live frames right after), nor the frames
      // given to the decoder while join frames are still in it: after a join the first live
      // frames wait in the decoder for the ~2 s of burst frames ahead of them (measured:
      // +150..+250 ms, which held the audio floor there for the 3 s window). Later on, frames
      // behind a late one do count: a busy main thread makes frames a little late all the time,
      // and what the decoder then takes is what lip sync must cover.
      const join = video.jb.joining();
      if (f.lateMs <= 5 && !join && this.joinInDecoder === 0) return;
      if (this.notForLipSync.size >= 300) this.clearNotForLipSync();
      this.notForLipSync.set(f.rtpTime >>> 0, join);
      if (join) this.joinInDecoder++;
    };
    vdec.onFrame = (frame, rtpTime) => {
      if (this.closed) return void frame.close();
      const ts = rtpTime >>> 0;
      const join = this.notForLipSync.get(ts);
      if (join === undefined) this.lipSync?.videoReady(ts);
      else {
        this.notForLipSync.delete(ts);
        if (join) this.joinInDecoder--;
      }
      this.videoOut!.push({ frame, rtpTimestamp: ts });
    };
    vdec.onError = (e) => {
      this.clearNotForLipSync(); // what was in the decoder is gone
      console.warn(`video decoder: ${e.message}; waiting for the next key frame`);
    };
  }

  /** The A/V sync's master: the audio RTP time being heard now. */
  private updateAudioPosition(): void {
    if (!this.audioMap || !this.sync) return;
    this.lastHeardTs = updateAudioPosition(this.o.audio, this.audioMap, this.sync, performance.now()) ?? this.lastHeardTs;
  }

  private onFrame(channel: number, data: Uint8Array): void {
    const st = this.session?.tracks.find((t) => t.rtpChannel === (channel & ~1));
    if (!st) return;
    const r = isTextTrack(st.track) ? this.subs : st.track.kind === 'video' ? this.video : this.audio;
    if (!r) return;
    if (channel & 1) return r.onRtcp(data);
    if (this.gate.closed) return;
    const first = this.gate.firstSeq.get(st.rtpChannel);
    if (first !== undefined && data.length >= 4) {
      const seq = (data[2]! << 8) | data[3]!;
      const d = seqDiff(seq, first);
      // Before RTP-Info's seq: still the old position's packets in flight.
      if (d < 0 && d > -5000) return;
      this.gate.firstSeq.delete(st.rtpChannel);
    }
    r.onRtp(data);
  }

  private schedulePump(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.closed) return;
    this.timer = setTimeout(() => {
      const now = performance.now();
      let next = now + 20;
      for (const r of [this.video, this.audio]) if (r) next = Math.min(next, r.pump(now));
      this.lipSync?.adjust(now);
      if ((this.video?.bye ?? true) && (this.audio?.bye ?? true) && !this.paused && !this.endedSaid) {
        this.endedSaid = true;
        this.o.events.state('ended');
      }
      // Timers fire no sooner than ~1-4 ms; a release a little late is counted by the buffer, not lost.
      this.schedulePump(Math.max(1, Math.min(20, next - performance.now())));
    }, delayMs);
  }

  /** PLAY (optionally from `from` seconds), with every timeline reset: the stream starts over for the player. */
  private async play(from?: number): Promise<void> {
    const session = this.session!;
    this.gate = { closed: true, firstSeq: new Map() };
    this.resetTimelines();
    const answer = await session.play(from);
    this.nptStart = answer.start ?? from ?? 0;
    this.rtpAtStart.clear();
    for (const st of session.tracks) {
      const info = answer.rtpInfo.find((i) => i.url === st.url) ?? answer.rtpInfo[session.tracks.indexOf(st)];
      if (info?.seq !== undefined) this.gate.firstSeq.set(st.rtpChannel, info.seq);
      if (info?.rtptime !== undefined) this.rtpAtStart.set(st.rtpChannel, info.rtptime);
    }
    this.gate.closed = false;
    this.paused = false;
    this.endedSaid = false;
    if (this.videoOut) this.videoOut.frozen = false;
    this.o.events.state('playing');
  }

  private resetTimelines(): void {
    this.video?.reset();
    this.audio?.reset();
    this.subs?.reset();
    void this.vdec?.reset();
    this.adec?.reset();
    this.videoOut?.flush();
    this.o.audio.flush();
    this.audioMap?.clear();
    this.sync?.reset();
    this.lipSync?.reset();
    this.clearNotForLipSync();
    this.o.probe.reset();
    this.lastShownTs = undefined;
    this.lastHeardTs = undefined;
  }

  private clearNotForLipSync(): void {
    this.notForLipSync.clear();
    this.joinInDecoder = 0;
  }

  async pause(): Promise<void> {
    if (!this.session || this.paused) return;
    const pos = this.position();
    this.paused = true;
    if (this.videoOut) this.videoOut.frozen = true;
    this.o.audio.flush();
    await this.session.pause();
    this.nptStart = pos;
    this.o.events.state('paused');
  }

  async resume(): Promise<void> {
    if (!this.session || !this.paused) return;
    // A file resumes where the picture stopped; a live path resumes at now.
    await this.play(this.duration !== undefined ? this.nptStart : undefined);
  }

  async seek(seconds: number): Promise<void> {
    if (!this.session || this.duration === undefined) return;
    const to = Math.max(0, Math.min(this.duration - 0.5, seconds));
    await this.play(to);
  }

  setVolume(volume: number, muted: boolean): void {
    this.o.audio.setVolume(volume, muted);
  }

  position(): number {
    if (this.paused) return this.nptStart;
    const st = this.session?.tracks.find((t) => t.track.kind === 'video') ?? this.session?.tracks[0];
    if (!st) return 0;
    const ts = st.track.kind === 'video' ? this.lastShownTs : this.lastHeardTs;
    if (ts === undefined) return this.nptStart;
    // Without RTP-Info's rtptime (a live path may send none), the first frame played is npt start.
    if (!this.rtpAtStart.has(st.rtpChannel)) this.rtpAtStart.set(st.rtpChannel, ts);
    const base = this.rtpAtStart.get(st.rtpChannel)!;
    return this.nptStart + ((ts - base) | 0) / st.track.clockRate;
  }

  stats(): Partial<EngineStats> {
    const s = this.sync?.stats();
    const tracks: EngineStats['tracks'] = {};
    if (this.video) tracks.video = this.video.stats(this.vdec?.framesDecoded ?? 0);
    if (this.audio) tracks.audio = this.audio.stats(this.adec?.framesDecoded ?? 0);
    return {
      tracks,
      avSkewMs: s && s.shown > 0 && s.mode !== 'video' ? round1(s.skewMs) : null,
      e2eLatencyMs: s?.latencyMs === null || s === undefined ? null : round1(s.latencyMs),
      framesDecoded: this.vdec?.framesDecoded ?? 0,
      framesDropped: this.videoOut?.framesDropped ?? 0,
      framesShown: this.videoOut?.framesShown ?? 0,
      audioFramesDecoded: this.adec?.framesDecoded ?? 0,
      keyFrameWaits: this.keyFrameWaits,
      syncMode: s?.mode ?? null,
      audioFloorMs: this.lipSync ? round1(this.lipSync.floorMs) : null,
      audioDroppedLate: this.audioPath?.droppedLate ?? 0,
      audioOutputResyncs: this.o.audio.resyncs,
      audioOutputSkipped: this.o.audio.framesSkipped,
      audioOutputRestartCauses: { ...this.o.audio.restartCauses },
      audioOutputGuardMs: round1(this.o.audio.guardMs()),
      audioLanguage: this.audio?.track.language ?? null,
      audioChannels: this.audioPath?.channels ?? null,
      audioChoices: this.audioChoices().choices.map((c) => c.id),
      ...this.subs?.stats(this.session?.described ?? []),
    };
  }

  subtitleChoices = (): { choices: AudioChoice[]; current: string | null } => this.subs?.choices(this.session?.described ?? []) ?? { choices: [], current: null };
  setSubtitles = (id: string | null): boolean => this.subs?.set(id) ?? true;

  audioChoices(): { choices: AudioChoice[]; current: string | null } {
    const playable = (this.session?.described ?? []).filter(playableAudio);
    return { choices: audioChoicesOf(playable), current: this.audio ? choiceId(this.audio.track) : null };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.videoOut?.stop();
    this.subs?.reset();
    this.vdec?.close();
    this.adec?.close();
    this.o.audio.flush();
    await this.session?.close();
  }
}
