// The ws mode's renditions: the list (/<path>/renditions.json), the menu and label, and the picker asking for one from the player's own figures.
import type { EngineStats } from './engine.js';
import { PAGE_HEADERS, withToken } from './login.js';
import { RenditionPicker } from './rendition-picker.js';

export interface RenditionChoice {
  /** "source" for the main path, else the rendition's name ("480p"). */
  name: string;
  path: string;
}

/** What the stats publish: which variant plays, and whether the picker chose it. */
export interface RenditionStats {
  name: string;
  path: string;
  auto: boolean;
  switches: number;
  choices: string[];
}

interface ListAnswer {
  renditions?: { name: string; path: string }[];
}

/** The main path and its renditions, best first; just the main path when it has none (or the list cannot be had). */
export async function fetchChoices(path: string, token: string | undefined): Promise<RenditionChoice[]> {
  const main = { name: 'source', path };
  try {
    // Our page's header: a 401 then carries no Basic challenge (no browser login box); the RTSP session asks for the login.
    const res = await fetch(withToken(`${location.origin}/${path.replace(/^\/+/, '')}/renditions.json`, token), { headers: PAGE_HEADERS });
    if (!res.ok) return [main];
    const body = (await res.json()) as ListAnswer;
    return [main, ...(body.renditions ?? []).map((r) => ({ name: r.name, path: r.path }))];
  } catch {
    return [main];
  }
}

export class Renditions {
  private readonly picker: RenditionPicker;
  private auto = true;
  private switches = 0;
  private readonly select: HTMLSelectElement | null;

  constructor(
    readonly choices: RenditionChoice[],
    /** Restarts the stream on `path` (a new RTSP session over the same page). */
    private readonly play: (path: string) => void,
  ) {
    this.picker = new RenditionPicker(choices.length);
    this.select = document.getElementById('rendition') as HTMLSelectElement | null;
    if (this.select && choices.length > 1) {
      const opts = [new Option('auto', 'auto'), ...choices.map((c, i) => new Option(c.name, String(i)))];
      this.select.replaceChildren(...opts);
      this.select.hidden = false;
      this.select.value = 'auto';
      this.select.onchange = () => this.choose(this.select!.value);
    }
    this.showLabel();
  }

  get current(): RenditionChoice {
    return this.choices[this.picker.level]!;
  }

  /** Once a second while playing: the picker judges the video's loss and jitter (the audio's when there is no video). */
  tick(stats: Partial<EngineStats>): void {
    if (!this.auto || this.choices.length < 2) return;
    const t = stats.tracks?.video ?? stats.tracks?.audio;
    if (!t) return;
    const before = this.current.path;
    if (this.picker.update({ packets: t.packets, lost: t.lost, jitterMs: t.jitterMs }) !== undefined) this.apply(before);
  }

  stats(): RenditionStats {
    return { name: this.current.name, path: this.current.path, auto: this.auto, switches: this.switches, choices: this.choices.map((c) => c.name) };
  }

  private choose(value: string): void {
    this.auto = value === 'auto';
    if (this.auto) return this.showLabel();
    const before = this.current.path;
    this.picker.switchTo(Number(value));
    this.apply(before);
  }

  /** The picker is at its new level: the label says so, and the stream restarts on the new path. */
  private apply(before: string): void {
    this.showLabel();
    if (this.current.path === before) return;
    this.switches++;
    this.play(this.current.path);
  }

  private showLabel(): void {
    const label = document.getElementById('rendition-label');
    if (!label) return;
    label.hidden = this.choices.length < 2;
    label.textContent = `${this.current.name}${this.auto ? ' (auto)' : ''}`;
  }
}
