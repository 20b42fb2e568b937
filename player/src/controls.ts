// The control bar and keyboard: play/pause, seek, volume/mute, fullscreen, language and subtitles menus, mode switch, stats toggle.
import { CueOverlay } from './cue-overlay.js';
import { MODES, type AudioChoice, type Mode } from './engine.js';

/**
 * Button icons as inline SVG in the text colour: the emoji and symbol characters used before
 * (U+1F50A, U+1F507, U+26F6) need fonts a minimal system lacks and showed there as empty boxes.
 */
const SVG = (body: string): string => `<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" fill="currentColor" stroke="currentColor" stroke-width="1.5" stroke-linecap="round">${body}</svg>`;
const SPEAKER = '<path stroke="none" d="M2 6h3l4-3v10l-4-3H2z"/>';
export const SPEAKER_ICON = SVG(`${SPEAKER}<path fill="none" d="M11 5.5a3.5 3.5 0 0 1 0 5M12.5 3.5a6 6 0 0 1 0 9"/>`);
export const MUTED_ICON = SVG(`${SPEAKER}<path d="M11 6l4 4M15 6l-4 4"/>`);
export const FULLSCREEN_ICON = SVG('<path fill="none" d="M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4"/>');

export interface ControlActions {
  togglePlay(): void;
  /** Seconds. */
  seekTo(seconds: number): void;
  seekBy(seconds: number): void;
  setVolume(volume: number, muted: boolean): void;
  switchMode(mode: Mode): void;
  /** Another audio alternative chosen in the language menu (its AudioChoice id). */
  switchAudio(id: string): void;
  /** Other subtitles chosen in the subtitles menu (a choice id, or null for Off). */
  switchSubtitles(id: string | null): void;
}

/** The subtitles menu's value for Off. */
export const SUBTITLES_OFF = 'off';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
};

export const formatTime = (s: number): string => {
  const t = Math.max(0, Math.floor(s));
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
};

export class Controls {
  readonly root = $<HTMLElement>('player');
  readonly stage = $<HTMLElement>('stage');
  readonly canvas = $<HTMLCanvasElement>('canvas');
  readonly video = $<HTMLVideoElement>('video');
  private readonly play = $<HTMLButtonElement>('play');
  private readonly seek = $<HTMLInputElement>('seek');
  private readonly time = $<HTMLElement>('time');
  private readonly mute = $<HTMLButtonElement>('mute');
  private readonly volume = $<HTMLInputElement>('volume');
  private readonly mode = $<HTMLSelectElement>('mode');
  private readonly language = $<HTMLSelectElement>('language');
  /** The menu's entries as last drawn, so a refresh with the same ones leaves it (and an open menu) alone. */
  private languageKey = '';
  private readonly subtitles = $<HTMLSelectElement>('subtitles');
  private subtitlesKey = '';
  /** Where subtitle cues are drawn, over the picture. */
  readonly cues = new CueOverlay($<HTMLElement>('cues'));
  private readonly statsToggle = $<HTMLButtonElement>('stats-toggle');
  private readonly fullscreen = $<HTMLButtonElement>('fullscreen');
  readonly statsBox = $<HTMLElement>('stats');
  private readonly message = $<HTMLElement>('message');
  private muted = false;
  private dragging = false;
  private duration: number | undefined;

  constructor(
    mode: Mode,
    private readonly actions: ControlActions,
  ) {
    this.mode.value = mode;
    this.mute.innerHTML = SPEAKER_ICON;
    this.fullscreen.innerHTML = FULLSCREEN_ICON;
    this.play.onclick = () => actions.togglePlay();
    this.seek.oninput = () => (this.dragging = true);
    this.seek.onchange = () => {
      this.dragging = false;
      if (this.duration) actions.seekTo((Number(this.seek.value) / 1000) * this.duration);
    };
    this.volume.oninput = () => this.applyVolume();
    this.mute.onclick = () => this.toggleMute();
    this.mode.onchange = () => actions.switchMode(this.mode.value as Mode);
    this.language.onchange = () => actions.switchAudio(this.language.value);
    this.subtitles.onchange = () => actions.switchSubtitles(this.subtitles.value === SUBTITLES_OFF ? null : this.subtitles.value);
    this.statsToggle.onclick = () => this.toggleStats();
    this.fullscreen.onclick = () => this.toggleFullscreen();
    document.addEventListener('keydown', (e) => this.onKey(e));
  }

  private onKey(e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target as HTMLElement | null;
    // Keys typed into the controls themselves (a focused slider or select) keep their own meaning.
    if (target && (target.tagName === 'SELECT' || (target.tagName === 'INPUT' && target !== this.seek))) return;
    switch (e.key) {
      case ' ':
      case 'k':
        if (target?.tagName === 'BUTTON') return; // space on a focused button already clicks it
        this.actions.togglePlay();
        break;
      case 'ArrowLeft':
        this.actions.seekBy(-5);
        break;
      case 'ArrowRight':
        this.actions.seekBy(5);
        break;
      case 'ArrowUp':
        this.volume.value = String(Math.min(1, Number(this.volume.value) + 0.1));
        this.applyVolume();
        break;
      case 'ArrowDown':
        this.volume.value = String(Math.max(0, Number(this.volume.value) - 0.1));
        this.applyVolume();
        break;
      case 'm':
        this.toggleMute();
        break;
      case 'f':
        this.toggleFullscreen();
        break;
      case 's':
        this.toggleStats();
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  private applyVolume(): void {
    this.actions.setVolume(Number(this.volume.value), this.muted);
  }

  toggleMute(force?: boolean): void {
    this.muted = force ?? !this.muted;
    this.mute.innerHTML = this.muted ? MUTED_ICON : SPEAKER_ICON;
    this.mute.setAttribute('aria-label', this.muted ? 'Unmute (m)' : 'Mute (m)');
    this.applyVolume();
  }

  private toggleStats(): void {
    this.statsBox.hidden = !this.statsBox.hidden;
    this.statsToggle.setAttribute('aria-pressed', String(!this.statsBox.hidden));
  }

  private toggleFullscreen(): void {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void this.root.requestFullscreen?.().catch(() => {});
  }

  /** Refreshes the play button, seek bar and time from the engine's state. */
  update(playing: boolean, position: number, duration: number | undefined): void {
    this.play.textContent = playing ? '❚❚' : '▶';
    this.play.setAttribute('aria-label', playing ? 'Pause (space)' : 'Play (space)');
    this.duration = duration;
    this.seek.disabled = duration === undefined;
    if (duration !== undefined && !this.dragging) this.seek.value = String(Math.round((position / duration) * 1000));
    this.time.textContent = duration === undefined ? `live ${formatTime(position)}` : `${formatTime(position)} / ${formatTime(duration)}`;
  }

  /** The language menu: shown with two or more audio alternatives, `current` selected; hidden otherwise. */
  setAudioChoices(choices: AudioChoice[], current: string | null): void {
    const key = JSON.stringify([choices, current]);
    if (key === this.languageKey) return;
    this.languageKey = key;
    this.language.replaceChildren(...choices.map((c) => new Option(c.label, c.id, false, c.id === current)));
    const hidden = choices.length < 2;
    this.language.hidden = hidden;
    (this.language.labels[0] as HTMLElement | undefined)?.toggleAttribute('hidden', hidden);
  }

  /** The subtitles menu: Off and each subtitle alternative, `current` (null: Off) selected; hidden when there are none. */
  setSubtitleChoices(choices: AudioChoice[], current: string | null): void {
    const key = JSON.stringify([choices, current]);
    if (key === this.subtitlesKey) return;
    this.subtitlesKey = key;
    const off = new Option('Off', SUBTITLES_OFF, false, current === null);
    this.subtitles.replaceChildren(off, ...choices.map((c) => new Option(c.label, c.id, false, c.id === current)));
    const hidden = choices.length === 0;
    this.subtitles.hidden = hidden;
    (this.subtitles.labels[0] as HTMLElement | undefined)?.toggleAttribute('hidden', hidden);
  }

  /** Shows a message over the stage (kind 'info' for transient notes, 'error' for problems); null hides it. */
  showMessage(text: string | null, kind: 'error' | 'info' = 'error'): void {
    this.message.hidden = text === null;
    this.message.textContent = text ?? '';
    this.message.className = kind;
  }

  /** The ws mode draws on the canvas; the others use the video element. */
  useVideoElement(on: boolean): void {
    this.video.hidden = !on;
    this.canvas.hidden = on;
  }
}

export function parseMode(value: string | null): Mode {
  return MODES.includes(value as Mode) ? (value as Mode) : 'ws';
}
