// The mp4 mode's subtitles: a file's cues from GET /<path>/subtitles.vtt?lang= (on the media timeline), one language at a time,
// the languages read from the file's multivariant playlist (its EXT-X-MEDIA TYPE=SUBTITLES entries), drawn by the page.
import { parseSubtitles } from '../../server/media/subtitles.js';
import { languageMatches } from '../../server/media/language.js';
import { CueSchedule, webvttPlainText } from './cue-schedule.js';
import type { AudioChoice } from './engine.js';
import { PAGE_HEADERS } from './login.js';

/** One subtitles entry of the file: its menu entry and the `?lang=` that fetches it ('' for the first). */
interface Entry {
  choice: AudioChoice;
  lang: string;
  isDefault: boolean;
}

const attr = (line: string, name: string): string | undefined => new RegExp(`[:,]${name}=(?:"([^"]*)"|([^,]*))`).exec(line)?.slice(1).find((v) => v !== undefined);

/** The subtitles entries of a multivariant playlist, in order. */
export function subtitleEntries(playlist: string): Entry[] {
  const lines = playlist.split(/\r?\n/).filter((l) => l.startsWith('#EXT-X-MEDIA:') && attr(l, 'TYPE') === 'SUBTITLES');
  return lines.map((l, i) => {
    const language = attr(l, 'LANGUAGE');
    const id = language ?? `track${i}`;
    return { choice: { id, label: attr(l, 'NAME') || id }, lang: language ?? (i === 0 ? '' : attr(l, 'NAME') ?? ''), isDefault: attr(l, 'DEFAULT') === 'YES' };
  });
}

/** The file's subtitles: the entries offered, the one shown (null: off) and its cues once fetched. */
export class FileSubtitles {
  private current: Entry | null;
  private readonly loaded = new Map<string, CueSchedule>();

  private constructor(
    private readonly vttUrl: URL,
    private readonly entries: Entry[],
    wanted: string | undefined,
  ) {
    const asked = wanted && wanted !== 'off' ? entries.find((e) => e.choice.id === wanted || languageMatches(wanted, e.lang)) : undefined;
    this.current = wanted === 'off' ? null : (asked ?? entries.find((e) => e.isDefault) ?? null);
    if (this.current) void this.fetch(this.current);
  }

  /**
   * The subtitles beside the stream at `streamUrl` (…/stream.mp4?token=…), or undefined when it has
   * none (a live path, a file without any): playing goes on without.
   */
  static async load(streamUrl: string, wanted: string | undefined): Promise<FileSubtitles | undefined> {
    const at = (name: string): URL => {
      const u = new URL(streamUrl);
      u.pathname = u.pathname.replace(/\/stream\.mp4$/, `/${name}`);
      u.searchParams.delete('audio');
      return u;
    };
    try {
      const res = await fetch(at('index.m3u8'), { headers: PAGE_HEADERS });
      let entries = res.ok ? subtitleEntries(await res.text()) : [];
      if (entries.length === 0) {
        // No HLS for this file (codecs HLS cannot carry): the first subtitles, if it has any.
        const head = await fetch(at('subtitles.vtt'), { method: 'HEAD', headers: PAGE_HEADERS });
        if (!head.ok) return undefined;
        const id = head.headers.get('Content-Language') ?? 'subtitles';
        entries = [{ choice: { id, label: decodeName(head.headers.get('X-Subtitles-Name')) ?? id }, lang: '', isDefault: true }];
      }
      return new FileSubtitles(at('subtitles.vtt'), entries, wanted);
    } catch {
      return undefined;
    }
  }

  /** The cues to draw: none while off or while the chosen language is still being fetched. */
  schedule(): CueSchedule | undefined {
    return this.current ? this.loaded.get(this.current.choice.id) : undefined;
  }

  choices(): { choices: AudioChoice[]; current: string | null } {
    return { choices: this.entries.map((e) => e.choice), current: this.current?.choice.id ?? null };
  }

  set(id: string | null): void {
    this.current = id === null ? null : (this.entries.find((e) => e.choice.id === id) ?? this.current);
    if (this.current) void this.fetch(this.current);
  }

  private async fetch(e: Entry): Promise<void> {
    if (this.loaded.has(e.choice.id)) return;
    const url = new URL(this.vttUrl);
    if (e.lang) url.searchParams.set('lang', e.lang);
    try {
      const res = await fetch(url, { headers: PAGE_HEADERS });
      if (!res.ok) return;
      const schedule = new CueSchedule();
      schedule.add(parseSubtitles(await res.text()).map((c) => ({ start: c.start, end: c.end, text: webvttPlainText(c.text) })));
      this.loaded.set(e.choice.id, schedule);
    } catch {
      /* drawn without: the menu still works */
    }
  }
}

function decodeName(s: string | null): string | undefined {
  if (!s) return undefined;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
