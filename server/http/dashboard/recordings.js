// Recordings with their time line (the spans GET /api/v1/recordings/<path> lists); hidden while the server has no recordings API.
import { ApiError, get } from './api.js';
import { encPath, formatTime, h } from './util.js';

/** The list of paths the recordings index answers with: `{recordings: [...]}`, `{paths: [...]}` or a bare array; names or records. */
function pathNames(body) {
  const list = Array.isArray(body) ? body : body.recordings ?? body.paths ?? body.items ?? [];
  return list.map((r) => (typeof r === 'string' ? r : r.path ?? r.name)).filter((n) => typeof n === 'string');
}

/** Continuous spans [{start, end}] (ms) of one path: from `spans`, else from its segments. */
function spansOf(body) {
  const raw = body.spans ?? body.segments ?? [];
  return raw.flatMap((s) => {
    const start = Date.parse(s.start);
    const end = s.end !== undefined ? Date.parse(s.end) : start + Number(s.duration ?? 0) * 1000;
    return Number.isFinite(start) && Number.isFinite(end) && end >= start ? [{ start, end }] : [];
  });
}

/** The player on the recording of `path` from `ms` (its hls mode on /<path>/playback.m3u8?start=). */
export const playbackHref = (path, ms) => `/player/?src=${encodeURIComponent(path)}&mode=hls&start=${encodeURIComponent(new Date(ms).toISOString())}`;

function timeline(path, spans) {
  const from = Math.min(...spans.map((s) => s.start));
  const to = Math.max(...spans.map((s) => s.end));
  const width = Math.max(1, to - from);
  const bar = h('div', { class: 'timeline', role: 'list', 'aria-label': `recorded spans of ${path}` });
  for (const s of spans) {
    const start = new Date(s.start).toISOString();
    const secs = Math.round((s.end - s.start) / 1000);
    const a = h('a', { href: playbackHref(path, s.start), 'aria-label': `play ${path} recorded from ${formatTime(start)} (${secs} s)` });
    // A click plays from the point clicked (the link's own href, the span's start, serves keyboards and new tabs).
    a.addEventListener('click', (e) => {
      const r = a.getBoundingClientRect();
      if (e.detail > 0 && r.width > 0) a.href = playbackHref(path, s.start + Math.max(0, Math.min(1, (e.clientX - r.left) / r.width)) * (s.end - s.start));
    });
    const item = h('span', {
      role: 'listitem',
      title: `${formatTime(start)}, ${secs} s recorded: click to play from there`,
      style: `left:${((s.start - from) / width) * 100}%;width:${((s.end - s.start) / width) * 100}%`,
    }, a);
    item.setAttribute('aria-label', `${path} recorded from ${formatTime(start)} (${secs} s)`);
    bar.append(item);
  }
  return h('div', { class: 'recording', 'data-path': path }, h('h3', {}, h('code', {}, path)), bar,
    h('div', { class: 'timeline-axis' }, h('span', {}, formatTime(new Date(from).toISOString())), h('span', {}, formatTime(new Date(to).toISOString()))));
}

let next = 0;

/** Refreshes the section every 10 s; hides it while the server has no recordings endpoint (404, asked again each minute). */
export async function refreshRecordings(section, box, now) {
  if (now < next) return;
  next = now + 10_000;
  let index;
  try {
    index = await get('/api/v1/recordings');
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      section.hidden = true;
      next = now + 60_000;
      return;
    }
    throw e;
  }
  const names = pathNames(index);
  const parts = await Promise.all(names.map(async (n) => ({ name: n, spans: spansOf(await get(`/api/v1/recordings/${encPath(n)}`)) })));
  const shown = parts.filter((p) => p.spans.length > 0);
  box.replaceChildren(...(shown.length ? shown.map((p) => timeline(p.name, p.spans)) : [h('p', { class: 'muted' }, 'no recordings yet')]));
  section.hidden = false;
}
