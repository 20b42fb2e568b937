// The mp4 mode's subtitles: a file's cues from GET /<path>/subtitles.vtt (its sidecar, on the media timeline), drawn by the page.
import { parseSubtitles } from '../../server/media/subtitles.js';
import { CueSchedule, webvttPlainText } from './cue-schedule.js';
import type { AudioChoice } from './engine.js';
import { PAGE_HEADERS } from './login.js';

/** The subtitles of a file: one choice (its language, else "subtitles"), on unless the page asked for "off". */
export class FileSubtitles {
  private on: boolean;

  private constructor(
    private readonly schedule: CueSchedule,
    private readonly choice: AudioChoice,
    on: boolean,
  ) {
    this.on = on;
  }

  /**
   * The subtitles beside the stream at `streamUrl` (…/stream.mp4?token=…), or undefined when it has
   * none (a live path, a file without a sidecar) or they cannot be fetched: playing goes on without.
   */
  static async load(streamUrl: string, wanted: string | undefined): Promise<FileSubtitles | undefined> {
    const url = new URL(streamUrl);
    url.pathname = url.pathname.replace(/\/stream\.mp4$/, '/subtitles.vtt');
    url.searchParams.delete('audio');
    try {
      const res = await fetch(url, { headers: PAGE_HEADERS });
      if (!res.ok) return undefined;
      const cues = parseSubtitles(await res.text()).map((c) => ({ start: c.start, end: c.end, text: webvttPlainText(c.text) }));
      const schedule = new CueSchedule();
      schedule.add(cues);
      const id = res.headers.get('Content-Language') ?? 'subtitles';
      const name = res.headers.get('X-Subtitles-Name');
      const label = name ? safeDecode(name) : id;
      return new FileSubtitles(schedule, { id, label }, wanted !== 'off');
    } catch {
      return undefined;
    }
  }

  current(): CueSchedule | undefined {
    return this.on ? this.schedule : undefined;
  }

  choices(): { choices: AudioChoice[]; current: string | null } {
    return { choices: [this.choice], current: this.on ? this.choice.id : null };
  }

  set(id: string | null): void {
    this.on = id !== null;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
