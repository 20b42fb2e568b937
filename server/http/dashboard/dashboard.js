// The dashboard at `/`: polls the REST API every second and redraws in place; says "disconnected" and
// retries while the server is away; shows a login form when the API answers 401.
import { forgetToken, get, del, login, Offline, Refused } from './api.js';
import { installCopyButtons } from './copy.js';
import { renderFiles, renderLive } from './paths.js';
import { refreshRecordings } from './recordings.js';
import { normalizeSession, readersByPath, renderSessions } from './sessions.js';
import { setText } from './util.js';

const $ = (id) => document.getElementById(id);
const POLL_MS = 1000;
let loggingIn = false;
/** Sessions kicked from this page, by id -> when: kept off the table while the server finishes closing them. */
const kicked = new Map();
const KICK_HIDE_MS = 5000;
let timer;

function setConnection(up, text) {
  const conn = $('conn');
  setText(conn, text);
  conn.className = `conn ${up ? 'up' : 'down'}`;
  document.body.classList.toggle('offline', !up);
}

async function kick(id, button) {
  button.disabled = true;
  try {
    await del(`/api/v1/sessions/${encodeURIComponent(id)}`);
    kicked.set(id, performance.now());
    button.closest('tr')?.remove();
    setText($('error'), '');
  } catch (e) {
    button.disabled = false;
    if (e instanceof Refused) return askLogin(e.message);
    setText($('error'), `could not kick ${id}: ${e.message}`);
  }
}

async function refresh() {
  const [status, paths, sessionsBody] = await Promise.all([get('/api/v1/status'), get('/api/v1/paths'), get('/api/v1/sessions')]);
  const now = performance.now();
  for (const [id, at] of kicked) if (now - at > KICK_HIDE_MS) kicked.delete(id);
  const sessions = (sessionsBody.sessions ?? sessionsBody.items ?? []).map(normalizeSession).filter((s) => !kicked.has(s.id));
  setText($('status'), `version ${status.version} · up ${status.uptimeSeconds} s · RTSP port ${status.rtspPort} · ${sessions.length} sessions`);
  renderLive($('live'), paths.live ?? [], { now, rtspPort: status.rtspPort, readers: readersByPath(sessions) });
  renderFiles($('files'), paths.files ?? [], status.rtspPort);
  renderSessions($('sessions'), sessions, kick);
  await refreshRecordings($('recordings-section'), $('recordings'), now);
}

async function tick() {
  clearTimeout(timer);
  if (loggingIn) return;
  try {
    await refresh();
    setConnection(true, 'connected');
    setText($('error'), '');
  } catch (e) {
    if (e instanceof Refused) {
      setConnection(true, 'connected');
      return askLogin(e.message);
    }
    if (e instanceof Offline) setConnection(false, 'disconnected: retrying every second');
    else setText($('error'), e.message);
  }
  timer = setTimeout(tick, POLL_MS);
}

function askLogin(why) {
  loggingIn = true;
  forgetToken();
  setText($('status'), 'log in to see the server');
  setText($('login-why'), `${why}.`);
  $('main').hidden = true;
  $('login').hidden = false;
  $('login-user').focus();
}

$('login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const pass = $('login-pass');
  try {
    await login($('login-user').value, pass.value);
  } catch (e) {
    setText($('login-error'), e.message);
    return;
  } finally {
    pass.value = '';
  }
  setText($('login-error'), '');
  $('login').hidden = true;
  $('main').hidden = false;
  loggingIn = false;
  tick();
});

installCopyButtons();
tick();
