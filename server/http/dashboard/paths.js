// Live path cards (state, source, bitrate sparkline, readers by protocol, URLs to copy, publish snippets) and the media files table.
import { Sparkline } from './sparkline.js';
import { encPath, formatBits, formatBytes, h, keyed, setText } from './util.js';
import { publishSnippets, readUrls, rtspUrl } from './urls.js';

/** Per path: the last byte count seen and when, to turn byte counters into bits per second. */
const meters = new Map();

/** Bits/s into the path since the last poll, from its byte counter; the server's own figure (or none) on the first poll and after a restart. */
function measure(p, now) {
  const bytes = p.bytesIn ?? p.bytes;
  if (typeof bytes !== 'number') return typeof p.bitrateIn === 'number' ? p.bitrateIn : undefined;
  const prev = meters.get(p.name);
  meters.set(p.name, { bytes, at: now });
  const told = typeof p.bitrateIn === 'number' ? p.bitrateIn : undefined;
  if (!prev || bytes < prev.bytes || now <= prev.at) return told;
  return ((bytes - prev.bytes) * 8 * 1000) / (now - prev.at);
}

function stateOf(p) {
  const state = typeof p.state === 'string' ? p.state : p.running ? 'live' : 'idle';
  return { text: state, up: typeof p.running === 'boolean' ? p.running : ['ready', 'live', 'running', 'publishing'].includes(state) };
}

function sourceOf(p) {
  if (p.redirect) return `redirect to ${p.redirect}`;
  const s = p.source;
  if (s && typeof s === 'object') return s.description ?? [s.type, s.url ?? s.address].filter(Boolean).join(' ');
  if (typeof s === 'string') return s;
  if (p.publisher) return `publisher ${p.publisher.address ?? ''}`.trim();
  return 'publisher (none yet)';
}

const tracksText = (ts) => (ts ?? []).map((t) => t.codec + (t.width ? ` ${t.width}x${t.height}` : '') + (t.channels ? ` ${t.channels}ch` : '')).join(', ') || '—';

function readersText(p, counted) {
  const counts = p.readersByProtocol && typeof p.readersByProtocol === 'object' ? p.readersByProtocol : counted ?? {};
  const parts = Object.entries(counts).filter(([, n]) => n > 0).map(([proto, n]) => `${proto} ${n}`);
  const total = typeof p.readers === 'number' ? p.readers : Object.values(counts).reduce((a, b) => a + b, 0);
  return parts.length ? `${total}: ${parts.join(', ')}` : String(total);
}

function copyButton(text, what) {
  return h('button', { type: 'button', 'data-copy': text, 'aria-label': `Copy ${what}` }, 'Copy');
}

function fact(dl, label, cls) {
  const dd = h('dd', { class: cls });
  dl.append(h('dt', {}, label), dd);
  return dd;
}

function makeCard(p) {
  const spark = new Sparkline(`bitrate into ${p.name}`);
  const rate = h('span', { class: 'rate', 'aria-live': 'off' }, '—');
  const state = h('span', { class: 'state' });
  const dl = h('dl', { class: 'facts' });
  const card = h('article', { class: 'card path', 'data-path': p.name, 'aria-label': `path ${p.name}` },
    h('div', { class: 'card-head' }, h('h3', {}, h('code', {}, p.name)), state,
      h('a', { class: 'watch', href: `/player/?src=${encodeURIComponent(p.name)}`, 'aria-label': `watch ${p.name} in the player` }, 'watch')),
    h('div', { class: 'spark' }, spark.el, rate),
    dl,
    h('ul', { class: 'urls' }),
    h('details', { class: 'publish' }, h('summary', {}, 'Publish to this path')));
  card._parts = { spark, rate, state, source: fact(dl, 'source', 'source'), tracks: fact(dl, 'tracks', 'tracks'), readers: fact(dl, 'readers', 'readers'), out: fact(dl, 'out', 'out') };
  return card;
}

function fillUrls(card, p, rtspPort) {
  const ul = card.querySelector('.urls');
  const sig = `${rtspPort}|${location.host}`;
  if (ul.dataset.sig === sig) return;
  ul.dataset.sig = sig;
  ul.replaceChildren(...readUrls(p.name, rtspPort).map((u) =>
    h('li', { 'data-url': u.key }, h('span', { class: 'label' }, u.label), h('code', {}, u.url), copyButton(u.url, `${u.label} URL of ${p.name}`))));
  const details = card.querySelector('details.publish');
  details.replaceChildren(details.querySelector('summary'), ...publishSnippets(p.name, rtspPort).map((s) =>
    h('div', { 'data-snippet': s.key }, h('h4', {}, s.title), h('div', { class: 'snippet' }, h('pre', {}, s.text), copyButton(s.copy, `${s.key} publish ${s.key === 'obs' ? 'URL' : 'command'} for ${p.name}`)))));
}

function updateCard(card, p, ctx) {
  const parts = card._parts;
  const bps = measure(p, ctx.now);
  if (bps !== undefined) parts.spark.push(bps);
  setText(parts.rate, bps === undefined ? 'measuring…' : `${formatBits(bps)} in`);
  parts.spark.el.setAttribute('aria-label', `bitrate into ${p.name}: ${bps === undefined ? 'measuring' : formatBits(bps)}`);
  const st = stateOf(p);
  setText(parts.state, p.problem ? `${st.text}: ${p.problem}` : st.text);
  parts.state.className = `state ${st.up ? 'up' : 'down'}`;
  setText(parts.source, sourceOf(p));
  setText(parts.tracks, tracksText(p.tracks));
  setText(parts.readers, readersText(p, ctx.readers.get(p.name)));
  setText(parts.out, typeof p.bitrateOut === 'number' ? `${formatBits(p.bitrateOut)} (${formatBytes(p.bytesOut)} sent)` : '—');
  if (!p.redirect) fillUrls(card, p, ctx.rtspPort);
}

/** Redraws the live path cards; `ctx` = {now, rtspPort, readers: Map path -> {protocol: count}}. */
export function renderLive(container, live, ctx) {
  for (const name of meters.keys()) if (!live.some((p) => p.name === name)) meters.delete(name);
  const empty = container.querySelector('.empty');
  if (live.length === 0) {
    if (!empty) container.replaceChildren(h('p', { class: 'muted empty' }, `none yet: publish with ffmpeg -re -i FILE -c copy -f rtsp ${rtspUrl('NAME', ctx.rtspPort)}`));
    return;
  }
  empty?.remove();
  keyed(container, [...live].sort((a, b) => a.name.localeCompare(b.name)), (p) => p.name, makeCard, (card, p) => updateCard(card, p, ctx));
}

function watchLinks(name) {
  const src = encodeURIComponent(name);
  return [
    h('a', { href: `/player/?src=${src}` }, 'player'), h('a', { href: `/player/?src=${src}&mode=hls` }, 'HLS'),
    h('a', { href: `/${encPath(name)}/stream.mp4` }, 'MP4'), h('a', { href: `/${encPath(name)}/stream.ts` }, 'TS'),
  ];
}

/** The media files table: RTSP URL to copy and links to watch. */
export function renderFiles(tbody, files, rtspPort) {
  if (files.length === 0) {
    tbody.replaceChildren(h('tr', {}, h('td', { colspan: 3, class: 'muted' }, 'no media files')));
    return;
  }
  keyed(tbody, files, (f) => `${f.name}|${rtspPort}`, (f) => {
    const url = rtspUrl(f.name, rtspPort);
    return h('tr', {}, h('td', {}, h('code', {}, f.name)), h('td', {}, h('code', {}, url), ' ', copyButton(url, `RTSP URL of ${f.name}`)), h('td', {}, ...watchLinks(f.name)));
  }, () => undefined);
}
