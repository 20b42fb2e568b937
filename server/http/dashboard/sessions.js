// The sessions table: every reader and publisher (GET /api/v1/sessions), with a kick button each.
import { formatBits, formatBytes, formatTime, h, keyed, setText } from './util.js';

/**
 * One shape for both API generations: the registry's ClientRecord (protocol, address, bytes, bitrate)
 * and the older RTSP-only summary (role file/live/publish, transports, peer).
 */
export function normalizeSession(s) {
  if (typeof s.protocol === 'string') {
    return {
      id: s.id, path: s.path, role: s.role, protocol: s.protocol, state: s.state ?? '', user: s.user ?? '',
      address: s.address ? `${s.address}${s.port ? `:${s.port}` : ''}` : (s.clientsSeen ?? []).join(', '),
      bytes: s.bytes, bitrate: s.bitrate, since: s.since, quality: quality(s.receiverReports, 'jitterMs', 'ms'),
      requestRate: s.requestRate,
    };
  }
  const transport = s.transports?.[0];
  return {
    id: s.id, path: s.path, role: s.role === 'publish' ? 'publisher' : 'reader', protocol: transport ? `rtsp-${transport}` : 'rtsp',
    state: s.state ?? '', user: s.user ?? '', address: s.peer ?? '', bytes: undefined, bitrate: undefined, since: s.since,
    quality: quality(s.receiverReports, 'jitter', 'ts'),
  };
}

/** "2.0 % lost, 3.1 ms" per track, from RTCP receiver reports; empty when the client sends none. */
function quality(reports, jitterKey, unit) {
  if (!Array.isArray(reports) || reports.length === 0) return '';
  return reports
    .map((r) => `${(r.fractionLost * 100).toFixed(1)} % (${r.cumulativeLost} lost), jitter ${Number(r[jitterKey]).toFixed(unit === 'ms' ? 1 : 0)} ${unit}`)
    .join('; ');
}

const COLUMNS = ['path', 'role', 'protocol', 'state', 'user', 'address', 'bytes', 'bitrate', 'loss / jitter', 'since'];

function makeRow(s, onKick) {
  const cells = COLUMNS.map((label) => h('td', { 'data-label': label, class: label === 'bytes' || label === 'bitrate' ? 'num' : undefined }));
  const kick = h('button', { type: 'button', class: 'kick', 'data-session': s.id }, 'Kick');
  kick.addEventListener('click', () => onKick(kick.dataset.session, kick));
  return h('tr', { 'data-session': s.id }, ...cells, h('td', { 'data-label': '' }, kick));
}

function updateRow(tr, s) {
  const c = tr.children;
  const bitrate = s.requestRate !== undefined ? `${formatBits(s.bitrate)}, ${s.requestRate.toFixed(1)} req/s` : formatBits(s.bitrate);
  const values = [s.path, s.role, s.protocol, s.state, s.user, s.address, formatBytes(s.bytes), bitrate, s.quality, formatTime(s.since)];
  values.forEach((v, i) => setText(c[i], v ?? ''));
  tr.querySelector('button.kick').setAttribute('aria-label', `Kick ${s.role} ${s.address} of ${s.path} (${s.protocol})`);
}

/** Redraws the table body from normalized sessions, keeping rows (and the focused button) of sessions still there. */
export function renderSessions(tbody, sessions, onKick) {
  const rows = [...sessions].sort((a, b) => a.path.localeCompare(b.path) || a.role.localeCompare(b.role) || a.id.localeCompare(b.id));
  const empty = tbody.querySelector('tr.empty');
  if (rows.length === 0) {
    if (!empty) {
      tbody.replaceChildren(h('tr', { class: 'empty' }, h('td', { colspan: COLUMNS.length + 1, class: 'muted' }, 'no sessions')));
    }
    return;
  }
  empty?.remove();
  keyed(tbody, rows, (s) => s.id, (s) => makeRow(s, onKick), updateRow);
}

/** Readers of each path by protocol, counted from the sessions (when the path records carry no counts of their own). */
export function readersByPath(sessions) {
  const out = new Map();
  for (const s of sessions) {
    if (s.role !== 'reader') continue;
    const counts = out.get(s.path) ?? {};
    counts[s.protocol] = (counts[s.protocol] ?? 0) + 1;
    out.set(s.path, counts);
  }
  return out;
}
