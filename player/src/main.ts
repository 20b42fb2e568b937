// Entry of the web player page: reads ?src=&mode= (and ?start=&duration= to play a recording), runs one engine, reconnects with a visible countdown, publishes the stats.
import { AudioOut } from './audio-out.js';
import { Controls, parseMode, SUBTITLES_OFF } from './controls.js';
import { FatalPlayerError, type Engine, type EngineEvents, type Mode, type PlayerState } from './engine.js';
import { HlsEngine } from './hls-engine.js';
import { askLogin, LoginNeededError, storedToken, withToken } from './login.js';
import { Mp4Engine } from './mp4-engine.js';
import { showRecordings } from './recordings-bar.js';
import { fetchChoices, Renditions } from './renditions.js';
import { formatStats, type TidecastStats } from './stats.js';
import { SyncProbe } from './sync-probe.js';
import { WsEngine } from './ws-engine.js';
import { RedirectedError, type RedirectTarget } from './redirect.js';

/** Waits between reconnect attempts, seconds; the last repeats. */
const BACKOFF_S = [1, 2, 4, 8, 10];

class Player {
  private engine: Engine | undefined;
  private state: PlayerState = 'connecting';
  private message: string | null = null;
  private reconnects = 0;
  private attempt = 0;
  private reconnectIn: number | null = null;
  /** The message saying which track the browser cannot decode while the rest plays: kept while playing. */
  private leftOut: string | undefined;
  private countdown: ReturnType<typeof setInterval> | undefined;
  private audio: AudioOut | undefined;
  private probe: SyncProbe | undefined;
  private volume = 1;
  private muted = false;
  /** Where a file was when the connection dropped: the reconnect resumes there. */
  private resumeAt: number | undefined;
  /** The audio alternative asked for (`?audio=` of the page, then the language menu). */
  private language = new URLSearchParams(location.search).get('audio') ?? undefined;
  /** The subtitles asked for (`?subtitles=` of the page, then the subtitles menu; "off" for none); unset: the playlist's default. */
  private subtitles = new URLSearchParams(location.search).get('subtitles') ?? undefined;
  /** A login token (from this tab's storage, or the form): carried on every request. */
  private token = storedToken();
  private readonly controls: Controls;
  /** ws mode: the path's renditions and the picker choosing among them (the main path alone when it has none). */
  private renditions: Renditions | undefined;

  constructor(
    readonly path: string,
    readonly mode: Mode,
    /** A recording by time: `start=<RFC 3339>[&duration=<s>]` of the playback playlist. */
    readonly recording?: { start: string; duration: string | null },
  ) {
    this.controls = new Controls(mode, {
      togglePlay: () => void this.togglePlay(),
      seekTo: (s) => void this.seekTo(s),
      seekBy: (d) => void this.seekTo(this.engine ? this.engine.position() + d : 0),
      setVolume: (v, m) => {
        this.volume = v;
        this.muted = m;
        this.engine?.setVolume(v, m);
      },
      switchMode: (m) => {
        const q = new URLSearchParams(location.search);
        q.set('mode', m);
        if (this.language) q.set('audio', this.language);
        if (this.subtitles) q.set('subtitles', this.subtitles);
        // Another mode is the live stream again.
        q.delete('start');
        q.delete('duration');
        location.search = q.toString();
      },
      switchAudio: (id) => void this.switchAudio(id),
      switchSubtitles: (id) => {
        this.subtitles = id ?? SUBTITLES_OFF;
        if (this.engine?.setSubtitles?.(id) === false) void this.restartHere();
      },
    });
    this.controls.useVideoElement(mode !== 'ws');
    setInterval(() => this.publishStats(), 250);
    setInterval(() => {
      if (this.state === 'playing' && this.engine) this.renditions?.tick(this.engine.stats());
    }, 1000);
  }

  /** Where a REDIRECT (or a 302) sent the ws mode: the other server's WebSocket and RTSP URL. */
  private redirectedTo: RedirectTarget | undefined;
  private redirects = 0;
  /** Redirects since the last time it played: a loop between servers is stopped. */
  private redirectChain = 0;

  private readonly events: EngineEvents & { dropped(e: Error): void; redirected(to: RedirectTarget): void } = {
    state: (s, detail) => {
      this.state = s;
      if (s === 'playing') {
        this.attempt = 0;
        this.redirectChain = 0;
        if (this.message !== null && !this.message.startsWith('Sound') && this.message !== this.leftOut) this.setMessage(null);
      }
      if (s === 'ended') this.setMessage('End of the stream.', 'info');
      if (s === 'error' && detail) this.setMessage(detail);
    },
    reconnectIn: (n) => (this.reconnectIn = n),
    trackLeftOut: (m) => {
      this.leftOut = m;
      this.setMessage(m, 'info');
    },
    dropped: (e) => void this.onDropped(e),
    redirected: (to) => void this.onRedirected(to),
  };

  async start(): Promise<void> {
    if (this.mode === 'ws' && !this.audio) {
      this.audio = new AudioOut();
      this.probe = await SyncProbe.create(this.audio.ctx, (n) => this.audio!.insertTap(n));
      if (this.audio.ctx.state === 'suspended') {
        // Browsers start audio only after a user gesture; until then the picture runs on its own clock.
        this.setMessage('Sound is off until you click or press a key on the page.', 'info');
        const resume = (): void => {
          void this.audio!.ctx.resume().then(() => {
            if (this.message?.startsWith('Sound')) this.setMessage(null);
          });
        };
        document.addEventListener('pointerdown', resume, { once: true });
        document.addEventListener('keydown', resume, { once: true });
      }
    }
    if (this.mode === 'ws' && !this.renditions) {
      this.renditions = new Renditions(await fetchChoices(this.path, this.token), () => void this.restart());
    }
    const engine = this.makeEngine();
    this.engine = engine;
    engine.setVolume(this.volume, this.muted);
    try {
      await engine.start();
      this.resumeAt = undefined;
    } catch (e) {
      await engine.close().catch(() => {});
      if (this.engine !== engine) return;
      if (e instanceof FatalPlayerError) {
        this.state = 'error';
        this.setMessage(e.message);
        return;
      }
      if (e instanceof LoginNeededError) return this.login(e);
      if (e instanceof RedirectedError) return this.onRedirected(e.to);
      await this.onDropped(e as Error);
    }
  }

  /** The server wants a login (401) or another user (403): the form, then the same stream again with the token. */
  private async login(e: LoginNeededError): Promise<void> {
    this.setMessage(null);
    const why = e.status === 403 ? `${e.reason}. Log in as a user who may watch it.` : `${e.reason}.`;
    this.token = await askLogin(why, { action: this.recording ? 'playback' : 'read', path: this.path.replace(/^\/+/, '') });
    this.showRecordings();
    // The rendition list was asked for without the login: ask again with it.
    this.renditions = undefined;
    await this.start();
  }

  private makeEngine(): Engine {
    const base = `${location.origin}/${this.path.replace(/^\/+/, '')}`;
    const mutedAutoplay = (): void => {
      this.controls.toggleMute(true);
      this.setMessage('Sound is muted: the browser refused to autoplay with sound. Press m to unmute.', 'info');
    };
    switch (this.mode) {
      case 'hls': {
        const url = this.recording ? playbackUrl(base, this.recording) : `${base}/index.m3u8`;
        const hls = new HlsEngine(this.controls.video, withToken(url, this.token), this.events, mutedAutoplay);
        hls.language = this.language;
        hls.subtitles = this.subtitles;
        hls.overlay = this.controls.cues;
        return hls;
      }
      case 'mp4': {
        const audio = this.language ? `?audio=${encodeURIComponent(this.language)}` : '';
        const mp4 = new Mp4Engine(this.controls.video, withToken(`${base}/stream.mp4${audio}`, this.token), this.events, mutedAutoplay);
        mp4.overlay = this.controls.cues;
        mp4.subtitles = this.subtitles;
        return mp4;
      }
      default: {
        const params = new URLSearchParams(location.search);
        const opts: ConstructorParameters<typeof WsEngine>[0] = {
          canvas: this.controls.canvas,
          audio: this.audio!,
          probe: this.probe!,
          path: this.renditions?.current.path ?? this.path,
          events: this.events,
        };
        if (this.resumeAt !== undefined) opts.startAt = this.resumeAt;
        if (this.language) opts.language = this.language;
        if (this.token) opts.token = this.token;
        opts.overlay = this.controls.cues;
        if (this.subtitles) opts.subtitles = this.subtitles;
        // Tools and tests may point the player at another endpoint (a jitter-injecting relay).
        const ws = params.get('ws');
        if (ws) opts.wsUrl = ws;
        if (this.redirectedTo) {
          opts.wsUrl = this.redirectedTo.wsUrl;
          opts.rtspUrl = this.redirectedTo.rtspUrl;
        }
        return new WsEngine(opts);
      }
    }
  }

  /**
   * The server moved the stream (REDIRECT, RFC 2326 §10.10, or a 302): a new engine at the other
   * server at once, with no countdown and no error shown. A file resumes where it was.
   */
  private async onRedirected(to: RedirectTarget): Promise<void> {
    const engine = this.engine;
    if (engine && engine.duration !== undefined) this.resumeAt = engine.position();
    this.engine = undefined;
    this.redirectedTo = to;
    this.redirects++;
    if (++this.redirectChain > 5) return this.onDropped(new Error(`redirected more than 5 times (last to ${to.rtspUrl})`));
    await engine?.close().catch(() => {});
    await this.start();
  }

  /** Another rendition: the running stream stops and the new path starts at once (its GOP cache makes the join quick). */
  private async restart(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    await engine?.close().catch(() => {});
    await this.start();
  }

  /** The connection dropped (or could not be made): a countdown, then a new engine. */
  private async onDropped(e: Error): Promise<void> {
    const engine = this.engine;
    if (this.engine && this.engine.duration !== undefined) this.resumeAt = this.engine.position();
    this.engine = undefined;
    await engine?.close().catch(() => {});
    this.state = 'reconnecting';
    this.reconnects++;
    let left = BACKOFF_S[Math.min(this.attempt, BACKOFF_S.length - 1)]!;
    this.attempt++;
    const say = (): void => {
      this.reconnectIn = left;
      this.setMessage(`Connection dropped (${e.message}). Reconnecting in ${left} s…`);
    };
    say();
    clearInterval(this.countdown);
    await new Promise<void>((resolve) => {
      this.countdown = setInterval(() => {
        left--;
        if (left <= 0) {
          clearInterval(this.countdown);
          resolve();
        } else say();
      }, 1000);
    });
    this.reconnectIn = 0;
    this.setMessage('Reconnecting…', 'info');
    await this.start();
    this.reconnectIn = null;
  }

  /** The time line of the path's recordings, when it has some this user may list. */
  showRecordings(): void {
    const box = document.getElementById('recordings');
    const from = this.recording ? Date.parse(this.recording.start) : undefined;
    if (box) void showRecordings(box, this.path, this.token, from);
  }

  private async togglePlay(): Promise<void> {
    const e = this.engine;
    if (!e) return;
    // A click is a user gesture: the moment to let a suspended AudioContext start.
    if (this.audio?.ctx.state === 'suspended') await this.audio.ctx.resume();
    if (this.state === 'paused') await e.resume();
    else if (this.state === 'playing') await e.pause();
  }

  /**
   * Another audio alternative: in place when the engine can (hls.js), else a new engine at the same
   * position with the new choice set up (ws mode: DESCRIBE, SETUP of that audio track, PLAY).
   */
  private async switchAudio(id: string): Promise<void> {
    this.language = id;
    const e = this.engine;
    if (!e) return;
    if (e.setAudio) return e.setAudio(id);
    await this.restartHere();
  }

  /** A new engine at the same position (a file), with the choices made since (ws mode: a new SETUP). */
  private async restartHere(): Promise<void> {
    const e = this.engine;
    if (!e) return;
    if (e.duration !== undefined) this.resumeAt = e.position();
    this.engine = undefined;
    await e.close().catch(() => {});
    await this.start();
  }

  private async seekTo(seconds: number): Promise<void> {
    const e = this.engine;
    if (!e || e.duration === undefined) return;
    await e.seek(Math.max(0, Math.min(e.duration, seconds)));
  }

  private setMessage(text: string | null, kind: 'error' | 'info' = 'error'): void {
    this.message = text;
    this.controls.showMessage(text, kind);
  }

  private publishStats(): void {
    const e = this.engine;
    const position = e?.position() ?? 0;
    const s: TidecastStats = {
      mode: this.mode,
      path: this.path,
      state: this.state,
      message: this.message,
      position: Math.round(position * 1000) / 1000,
      duration: e?.duration ?? null,
      reconnects: this.reconnects,
      redirects: this.redirects,
      redirectedTo: this.redirectedTo?.rtspUrl ?? null,
      reconnectIn: this.reconnectIn,
      rendition: this.renditions?.stats() ?? null,
      ...(e?.stats() ?? {}),
      sync: this.probe?.stats() ?? { samples: 0, lastMs: null, medianMs: null, minMs: null, maxMs: null, beeps: 0, flashes: 0 },
      skewSamples: this.probe?.all() ?? [],
      at: performance.now(),
    };
    window.tidecastStats = s;
    if (!this.controls.statsBox.hidden) this.controls.statsBox.textContent = formatStats(s);
    this.controls.update(this.state !== 'paused' && this.state !== 'ended', position, e?.duration);
    const audio = e?.audioChoices?.();
    this.controls.setAudioChoices(audio?.choices ?? [], audio?.current ?? null);
    const subs = e?.subtitleChoices?.();
    this.controls.setSubtitleChoices(subs?.choices ?? [], subs?.current ?? null);
  }
}

/** /<path>/playback.m3u8 with the recording's start (and duration when given). */
function playbackUrl(base: string, r: { start: string; duration: string | null }): string {
  const q = new URLSearchParams({ start: r.start });
  if (r.duration !== null) q.set('duration', r.duration);
  return `${base}/playback.m3u8?${q.toString()}`;
}

const params = new URLSearchParams(location.search);
const src = params.get('src');
const start = params.get('start');
// A recording plays over HLS (its playlist is VOD), whatever mode was asked.
const mode = start ? 'hls' : parseMode(params.get('mode'));
if (!src) {
  const box = document.getElementById('message');
  if (box) {
    box.hidden = false;
    box.textContent = 'Which stream? Add ?src=<path> to the address, e.g. /player/?src=sample.mp4 or /player/?src=testsrc&mode=hls';
  }
} else {
  document.title = `${src} – Tidecast player`;
  const player = new Player(src, mode, start ? { start, duration: params.get('duration') } : undefined);
  void player.start();
  player.showRecordings();
}
