// The player's time line of its path's recorded spans (GET /api/v1/recordings/<path>): a click plays the recording from
// that instant (the hls mode on /<path>/playback.m3u8?start=). Shown only when the path has recordings the user may list.
import { PAGE_HEADERS, withToken } from './login.js';

interface Span {
  start: number;
  end: number;
}

/** The page's query for playing the recording from `startMs`: the hls mode on the playback playlist. */
export function playbackSearch(search: string, startMs: number): string {
  const q = new URLSearchParams(search);
  q.set('mode', 'hls');
  q.set('start', new Date(startMs).toISOString());
  q.delete('duration');
  return `?${q.toString()}`;
}

/** The instant `fraction` (0..1) of the way along the bar, moved into the span nearest to it. */
export function instantAt(spans: Span[], fraction: number): number {
  const from = spans[0]!.start;
  const to = spans[spans.length - 1]!.end;
  const t = from + Math.max(0, Math.min(1, fraction)) * (to - from);
  const inside = spans.find((s) => t >= s.start && t < s.end);
  if (inside) return t;
  // In a gap: the start of the next span (or the last one's start).
  return (spans.find((s) => s.start > t) ?? spans[spans.length - 1]!).start;
}

const clock = (ms: number): string => new Date(ms).toLocaleString();

async function spansOf(path: string, token: string | undefined): Promise<Span[]> {
  const name = path.replace(/^\/+/, '');
  const enc = name.split('/').map(encodeURIComponent).join('/');
  try {
    // The index first: a path without recordings costs no 404 in the console.
    const index = await fetch(withToken(`${location.origin}/api/v1/recordings`, token), { headers: PAGE_HEADERS });
    if (!index.ok) return [];
    const { paths } = (await index.json()) as { paths?: { name: string }[] };
    if (!paths?.some((p) => p.name === name)) return [];
    const res = await fetch(withToken(`${location.origin}/api/v1/recordings/${enc}`, token), { headers: PAGE_HEADERS });
    // 404: no recordings; 401/403: this user may not list them. Either way no time line.
    if (!res.ok) return [];
    const body = (await res.json()) as { spans?: { start: string; end: string }[] };
    return (body.spans ?? [])
      .map((s) => ({ start: Date.parse(s.start), end: Date.parse(s.end) }))
      .filter((s) => Number.isFinite(s.start) && s.end > s.start)
      .sort((a, b) => a.start - b.start);
  } catch {
    return [];
  }
}

/** Draws the time line into `box` (unhidden) when `path` has recordings; `playingFrom` marks where the playback started. */
export async function showRecordings(box: HTMLElement, path: string, token: string | undefined, playingFrom?: number): Promise<void> {
  const spans = await spansOf(path, token);
  if (spans.length === 0) return;
  const from = spans[0]!.start;
  const width = Math.max(1, spans[spans.length - 1]!.end - from);
  const bar = document.createElement('div');
  bar.className = 'bar';
  const go = (ms: number): void => {
    location.search = playbackSearch(location.search, ms);
  };
  for (const s of spans) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'span';
    b.style.left = `${((s.start - from) / width) * 100}%`;
    b.style.width = `${((s.end - s.start) / width) * 100}%`;
    b.title = `${clock(s.start)} – ${clock(s.end)}`;
    b.setAttribute('aria-label', `Play the recording from ${clock(s.start)} (${Math.round((s.end - s.start) / 1000)} s)`);
    // A pointer click plays from the point clicked; a key press (no position) from the span's start.
    b.onclick = (e) => {
      const r = bar.getBoundingClientRect();
      go(e.detail > 0 && r.width > 0 ? instantAt(spans, (e.clientX - r.left) / r.width) : s.start);
    };
    bar.append(b);
  }
  if (playingFrom !== undefined && playingFrom >= from) {
    const mark = document.createElement('div');
    mark.className = 'mark';
    mark.style.left = `${Math.min(100, ((playingFrom - from) / width) * 100)}%`;
    bar.append(mark);
  }
  const axis = document.createElement('div');
  axis.className = 'axis';
  for (const t of [from, from + width]) axis.append(Object.assign(document.createElement('span'), { textContent: clock(t) }));
  box.replaceChildren(bar, axis);
  box.hidden = false;
}
