// The hls mode: hls.js in low-latency mode on /<path>/index.m3u8 (native HLS where MSE is missing, as on iOS Safari).
import type Hls from 'hls.js';
import { FatalPlayerError, type AudioChoice, type Engine, type EngineStats } from './engine.js';
import { languageMatches } from '../../server/media/language.js';
import { unplayable } from './http-refusal.js';
import { checkCodecs, initSegmentUrl, undecodableError, variantCodecs } from './codec-support.js';
import { codecsOfMoov, topLevelBoxes } from './fmp4-codecs.js';
import { PAGE_HEADERS, refusalOf } from './login.js';
import { ElementEngine, elementStats, playElement } from './media-element.js';
import { VideoFrameCues, type CueOverlay } from './cue-overlay.js';
import { TextTrackCues } from './text-track-cues.js';

export class HlsEngine extends ElementEngine implements Engine {
  readonly mode = 'hls' as const;
  private hls: Hls | undefined;
  duration: number | undefined;
  /** The audio rendition to start with (`?audio=` of the page). */
  language: string | undefined;
  /** The subtitles to start with (`?subtitles=` of the page: a language, "track<i>" or "off"); else the playlist's DEFAULT/AUTOSELECT. */
  subtitles: string | undefined;
  /** Where the subtitle cues are drawn: the page draws them, the browser's own rendering is off. */
  overlay: CueOverlay | undefined;
  private frameCues: VideoFrameCues | undefined;

  async start(): Promise<void> {
    this.events.state('connecting');
    // Fetched only in this mode: hls.js is most of the bundle's weight.
    const { default: HlsClass } = await import('hls.js');
    const video = this.video;
    if (this.overlay) {
      const textCues = new TextTrackCues(video);
      this.frameCues = new VideoFrameCues(video, this.overlay, () => textCues.current());
      this.frameCues.start();
    }
    const probe = await fetch(this.url, { method: 'GET', headers: PAGE_HEADERS });
    const refused = await refusalOf(probe);
    if (refused) throw refused;
    if (probe.status === 404) throw new FatalPlayerError(`no stream at this path (the server answered 404 for ${new URL(this.url).pathname})`, 'not-found');
    const damaged = await unplayable(probe, this.url);
    if (damaged) throw damaged;
    if (!probe.ok) throw new Error(`the playlist ${new URL(this.url).pathname} answered ${probe.status} ${probe.statusText}`);
    // A track the browser cannot decode is a message, not a connection that drops and reconnects for ever.
    await this.checkDecodable(await probe.text());
    if (!HlsClass.isSupported()) {
      if (!video.canPlayType('application/vnd.apple.mpegurl')) {
        throw new FatalPlayerError('this browser has neither Media Source Extensions nor native HLS: the hls mode cannot play here', 'unsupported');
      }
      video.src = this.url;
    } else {
      // Speeding up to 1.5x after a stall brings a live stream back to its part hold-back instead of staying behind.
      const hls = new HlsClass({
        lowLatencyMode: true,
        backBufferLength: 10,
        maxLiveSyncPlaybackRate: 1.5,
        // A 401 later on (the token expired) must not put up the browser's own password box.
        xhrSetup: (xhr) => xhr.setRequestHeader('X-Tidecast-Page', '1'),
      });
      this.hls = hls;
      // Subtitle tracks load as 'hidden' text tracks: their cues are drawn by the page, on the presented frames.
      hls.subtitleDisplay = false;
      hls.on(HlsClass.Events.ERROR, (_ev, data) => {
        if (!data.fatal) return;
        // hls.js's own codec checks (a playlist whose codecs changed since the start): said once, not recovered in a loop.
        if (/codec/i.test(data.details)) {
          hls.destroy();
          this.events.state('error', `this browser cannot decode this stream's codecs through Media Source Extensions (hls.js: ${data.details}). Try the ws mode or another browser.`);
          return;
        }
        if (data.type === HlsClass.ErrorTypes.MEDIA_ERROR) {
          hls.recoverMediaError();
        } else {
          this.events.state('error', `HLS: ${data.details}${data.response ? ` (HTTP ${data.response.code})` : ''}`);
        }
      });
      hls.on(HlsClass.Events.LEVEL_LOADED, (_ev, data) => {
        this.duration = data.details.live ? undefined : data.details.totalduration;
      });
      hls.on(HlsClass.Events.MANIFEST_PARSED, () => {
        this.startAudio(hls, this.language);
        if (this.subtitles) this.setSubtitles(this.subtitles === 'off' ? null : this.subtitles);
      });
      hls.loadSource(this.url);
      hls.attachMedia(video);
    }
    video.onplaying = () => this.events.state('playing');
    video.onpause = () => this.events.state('paused');
    video.onended = () => this.events.state('ended');
    await playElement(video, this.onMutedAutoplay);
  }

  /**
   * The codecs of the stream (a multivariant playlist's CODECS, else the EXT-X-MAP init segment's
   * sample entries) each asked of MediaSource.isTypeSupported: a track it refuses is named.
   */
  private async checkDecodable(playlist: string): Promise<void> {
    const MS = (globalThis as { ManagedMediaSource?: typeof MediaSource }).ManagedMediaSource ?? globalThis.MediaSource;
    if (!MS) return; // native HLS: the element says what it cannot play
    let codecs = variantCodecs(playlist);
    const init = codecs ? undefined : initSegmentUrl(playlist, this.url);
    if (init) {
      const res = await fetch(init, { headers: PAGE_HEADERS });
      if (!res.ok) return; // hls.js will fetch it again and report what went wrong
      const bytes = new Uint8Array(await res.arrayBuffer());
      const moov = topLevelBoxes(bytes).find((b) => b.type === 'moov');
      if (moov) codecs = codecsOfMoov(bytes.subarray(moov.start, moov.end));
    }
    if (!codecs?.length) return;
    const check = checkCodecs(codecs, (t) => MS.isTypeSupported(t));
    if (check.unsupported.length) throw undecodableError('hls', check);
  }

  stats(): Partial<EngineStats> {
    // EXT-X-PROGRAM-DATE-TIME gives the sender wallclock of the playhead, as the SR does in ws mode.
    const { choices, current } = this.audioChoices();
    const playing = this.hls?.audioTracks[this.hls.audioTrack];
    return {
      ...elementStats(this.video, () => this.hls?.playingDate?.getTime()),
      audioLanguage: current === null ? null : (playing?.lang ?? null),
      audioChoices: choices.map((c) => c.id),
      subtitles: this.subtitleChoices().current,
      subtitleChoices: this.subtitleChoices().choices.map((c) => c.id),
      cue: this.overlay?.text ?? '',
    };
  }

  /** The multivariant playlist's audio renditions (EXT-X-MEDIA TYPE=AUDIO), as hls.js lists them. */
  audioChoices(): { choices: AudioChoice[]; current: string | null } {
    const tracks = this.hls?.audioTracks ?? [];
    if (tracks.length < 2) return { choices: [], current: null };
    const id = (i: number): string => tracks[i]?.lang ?? `track${i}`;
    return { choices: tracks.map((t, i) => ({ id: id(i), label: t.name || id(i) })), current: id(this.hls!.audioTrack) };
  }

  /** Switches hls.js to another audio rendition: it loads that playlist's segments from the playhead on. */
  setAudio(id: string): void {
    const hls = this.hls;
    if (!hls) return;
    const i = hls.audioTracks.findIndex((t, k) => (t.lang ?? `track${k}`) === id);
    if (i >= 0) hls.audioTrack = i;
  }

  /** The multivariant playlist's subtitle renditions (EXT-X-MEDIA TYPE=SUBTITLES) and the one shown (null: off). */
  subtitleChoices(): { choices: AudioChoice[]; current: string | null } {
    const hls = this.hls;
    const tracks = hls?.subtitleTracks ?? [];
    const id = (i: number): string => tracks[i]?.lang ?? `track${i}`;
    const choices = tracks.map((t, i) => ({ id: id(i), label: t.name || id(i) }));
    return { choices, current: hls && hls.subtitleTrack >= 0 ? id(hls.subtitleTrack) : null };
  }

  /** Shows another subtitle rendition (hls.js loads its playlist), or none for null. */
  setSubtitles(id: string | null): boolean {
    const hls = this.hls;
    if (!hls) return true;
    const i = id === null ? -1 : hls.subtitleTracks.findIndex((t, k) => (t.lang ?? `track${k}`) === id || languageMatches(id, t.lang));
    if (id === null || i >= 0) hls.subtitleTrack = i;
    this.frameCues?.redraw();
    return true;
  }

  /** `?audio=` of the page: the rendition to start with, once hls.js has read the playlist. */
  private startAudio(hls: Hls, wanted: string | undefined): void {
    if (!wanted) return;
    const i = hls.audioTracks.findIndex((t) => languageMatches(wanted, t.lang));
    if (i >= 0 && i !== hls.audioTrack) hls.audioTrack = i;
  }

  async close(): Promise<void> {
    this.frameCues?.stop();
    this.hls?.destroy();
    this.video.removeAttribute('src');
    this.video.load();
  }
}
