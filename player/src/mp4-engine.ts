// The mp4 mode: progressive fragmented MP4 from /<path>/stream.mp4 fed to Media Source Extensions as it streams in.
import { FatalPlayerError, type AudioChoice, type Engine, type EngineStats } from './engine.js';
import { unplayable } from './http-refusal.js';
import { codecsOfMoov, topLevelBoxes } from './fmp4-codecs.js';
import { checkCodecs, undecodableError } from './codec-support.js';
import { PAGE_HEADERS, refusalOf } from './login.js';
import { bufferedAhead, ElementEngine, elementStats, playElement } from './media-element.js';
import { VideoFrameCues, type CueOverlay } from './cue-overlay.js';
import { FileSubtitles } from './file-subtitles.js';

/** A live stream stays this close to its newest data: more buffered than this and the playhead jumps ahead. */
const LIVE_MAX_AHEAD_S = 1.5;

export class Mp4Engine extends ElementEngine implements Engine {
  readonly mode = 'mp4' as const;
  private abort = new AbortController();
  /** Where subtitle cues are drawn, and `?subtitles=` of the page ("off": start with them off). */
  overlay: CueOverlay | undefined;
  subtitles: string | undefined;
  private subs: FileSubtitles | undefined;
  private frameCues: VideoFrameCues | undefined;
  private sb: SourceBuffer | undefined;
  private queue: Uint8Array[] = [];
  private ms: MediaSource | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  duration: number | undefined;
  /** Until the response ends the stream is treated as live (a file's response ends). */
  private live = true;

  async start(): Promise<void> {
    this.events.state('connecting');
    if (this.overlay) {
      this.frameCues = new VideoFrameCues(this.video, this.overlay, () => this.subs?.schedule());
      this.frameCues.start();
      void FileSubtitles.load(this.url, this.subtitles).then((s) => (this.subs = s));
    }
    // Safari on iOS has only ManagedMediaSource.
    const MS = (globalThis as { ManagedMediaSource?: typeof MediaSource }).ManagedMediaSource ?? globalThis.MediaSource;
    if (!MS) throw new FatalPlayerError('this browser has no Media Source Extensions: the mp4 mode cannot play here', 'unsupported');
    const res = await fetch(this.url, { signal: this.abort.signal, headers: PAGE_HEADERS });
    const refused = await refusalOf(res);
    if (refused) throw refused;
    if (res.status === 404) throw new FatalPlayerError(`no stream at this path (the server answered 404 for ${new URL(this.url).pathname})`, 'not-found');
    const damaged = await unplayable(res, this.url);
    if (damaged) throw damaged;
    if (!res.ok || !res.body) throw new Error(`${new URL(this.url).pathname} answered ${res.status} ${res.statusText}`);
    const reader = res.body.getReader();
    // Until the moov is complete the codecs are unknown: collect, then create the SourceBuffer.
    let head = new Uint8Array(0);
    let codecs: string[] | undefined;
    while (!codecs) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended before its init segment (ftyp + moov) was complete');
      const grown = new Uint8Array(head.length + value.length);
      grown.set(head);
      grown.set(value, head.length);
      head = grown;
      const moov = topLevelBoxes(head).find((b) => b.type === 'moov');
      if (moov) codecs = codecsOfMoov(head.subarray(moov.start, moov.end));
    }
    const type = `video/mp4; codecs="${codecs.join(',')}"`;
    // Each track on its own first, so the message names the one the browser cannot decode.
    const check = checkCodecs(codecs, (t) => MS.isTypeSupported(t));
    if (check.unsupported.length) {
      await reader.cancel().catch(() => {});
      throw undecodableError('mp4', check);
    }
    if (!MS.isTypeSupported(type)) {
      throw new FatalPlayerError(`this browser cannot play ${type} through Media Source Extensions`, 'unsupported');
    }
    const ms = new MS();
    this.ms = ms;
    this.video.src = URL.createObjectURL(ms);
    await new Promise<void>((resolve) => ms.addEventListener('sourceopen', () => resolve(), { once: true }));
    const sb = ms.addSourceBuffer(type);
    this.sb = sb;
    sb.addEventListener('updateend', () => this.pump());
    this.queue.push(head);
    this.pump();
    this.video.onplaying = () => this.events.state('playing');
    this.video.onpause = () => this.events.state('paused');
    this.timer = setInterval(() => this.keepLive(), 500);
    void this.readRest(reader);
    // A live stream's timeline starts where the stream was when we joined, not at 0: the
    // playhead must move to the first buffered range, or the element waits forever for data at 0.
    await new Promise<void>((resolve, reject) => {
      const t0 = performance.now();
      const check = (): void => {
        const b = this.video.buffered;
        if (b.length > 0) {
          if (this.video.currentTime < b.start(0)) this.video.currentTime = b.start(0);
          return resolve();
        }
        if (performance.now() - t0 > 15_000) return reject(new Error(`no playable media arrived from ${new URL(this.url).pathname} within 15 s`));
        setTimeout(check, 50);
      };
      check();
    });
    await playElement(this.video, this.onMutedAutoplay);
  }

  private async readRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.queue.push(value);
        this.pump();
      }
      this.live = false;
      // A file ends: once everything is appended, the element can report its duration and end.
      const end = (): void => {
        if (this.sb?.updating || this.queue.length) return void setTimeout(end, 100);
        if (this.ms?.readyState === 'open') this.ms.endOfStream();
        this.duration = Number.isFinite(this.video.duration) ? this.video.duration : undefined;
      };
      end();
    } catch (e) {
      if ((e as Error).name !== 'AbortError') this.events.state('error', `the stream broke off: ${(e as Error).message}`);
    }
  }

  private pump(): void {
    const sb = this.sb;
    if (!sb || sb.updating || this.queue.length === 0 || this.ms?.readyState !== 'open') return;
    // Appends take any byte split of the stream (MSE's segment parser keeps state between them).
    const total = this.queue.reduce((s, c) => s + c.length, 0);
    const chunk = new Uint8Array(total);
    let o = 0;
    for (const c of this.queue) {
      chunk.set(c, o);
      o += c.length;
    }
    this.queue = [];
    try {
      sb.appendBuffer(chunk);
    } catch (e) {
      if ((e as DOMException).name === 'QuotaExceededError') {
        this.queue.unshift(chunk);
        this.trim(true);
      } else throw e;
    }
  }

  /** Live: stay near the newest data, and drop what is far behind the playhead (bounded memory). */
  private keepLive(): void {
    if (this.live && !this.video.paused && bufferedAhead(this.video) > LIVE_MAX_AHEAD_S) {
      const b = this.video.buffered;
      this.video.currentTime = b.end(b.length - 1) - 0.5;
    }
    this.trim(false);
  }

  private trim(force: boolean): void {
    const sb = this.sb;
    if (!sb || sb.updating || !this.live) return;
    const behind = this.video.currentTime - (force ? 2 : 20);
    if (sb.buffered.length && behind > sb.buffered.start(0) + 1) sb.remove(0, behind);
  }

  stats(): Partial<EngineStats> {
    // Progressive MP4 carries no sender wallclock the element exposes: no e2e figure in this mode.
    const subs = this.subtitleChoices();
    return { ...elementStats(this.video, () => undefined), subtitles: subs.current, subtitleChoices: subs.choices.map((c) => c.id), cue: this.overlay?.text ?? '' };
  }

  subtitleChoices(): { choices: AudioChoice[]; current: string | null } {
    return this.subs?.choices() ?? { choices: [], current: null };
  }

  setSubtitles(id: string | null): boolean {
    this.subs?.set(id);
    this.frameCues?.redraw();
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.frameCues?.stop();
    this.abort.abort();
    this.video.removeAttribute('src');
    this.video.load();
  }
}
