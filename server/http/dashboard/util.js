// Small DOM and formatting helpers of the dashboard (plain ES module, no build step).

/** Creates an element: h('td', {class: 'num'}, 'text', child). Attributes set as attributes, children as text or nodes. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null && v !== false) el.setAttribute(k, v === true ? '' : String(v));
  for (const c of children) if (c !== undefined && c !== null) el.append(c);
  return el;
}

/** Same for SVG elements (the sparklines). */
export function svg(tag, attrs = {}) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** Sets text only when it changed (keeps selection and screen readers quiet). */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** "live/cam 1" -> "live/cam%201": each segment escaped, the slashes kept. */
export const encPath = (p) => p.split('/').map(encodeURIComponent).join('/');

export function formatBits(bps) {
  if (bps === undefined || bps === null || !Number.isFinite(bps)) return '—';
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(2)} Mbit/s`;
  return `${Math.round(bps / 1e3)} kbit/s`;
}

export function formatBytes(n) {
  if (n === undefined || n === null || !Number.isFinite(n)) return '—';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} B`;
}

export function formatTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString();
}

/** Reuses the children of `parent` keyed by `key`: `make(item)` creates one, `update(el, item)` refreshes it; others are removed. */
export function keyed(parent, items, key, make, update) {
  const old = new Map([...parent.children].map((el) => [el.dataset.key, el]));
  let prev = null;
  for (const item of items) {
    const k = key(item);
    let el = old.get(k);
    if (el) old.delete(k);
    else {
      el = make(item);
      el.dataset.key = k;
    }
    update(el, item);
    const want = prev ? prev.nextSibling : parent.firstChild;
    if (want !== el) parent.insertBefore(el, want);
    prev = el;
  }
  for (const el of old.values()) el.remove();
}
