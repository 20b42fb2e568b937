// The dashboard's calls to the REST API, with the login token of this tab (POST /api/v1/login).

const TOKEN_KEY = 'tidecast-token';
let token = sessionStorage.getItem(TOKEN_KEY);

/** The API said 401/403: the page shows its login form. */
export class Refused extends Error {}
/** The server could not be reached (stopped, restarting, network): the page says "disconnected" and retries. */
export class Offline extends Error {}
/** An answer that is not OK; `status` is the HTTP status. */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

function headers() {
  // X-Tidecast-Page: a 401 then offers no Basic challenge, which would make the browser ask in its own box.
  return { 'X-Tidecast-Page': '1', ...(token ? { Authorization: `Bearer ${token}` } : {}) };
}

async function call(method, url) {
  let r;
  try {
    r = await fetch(url, { method, cache: 'no-store', headers: headers() });
  } catch (e) {
    throw new Offline(e.message);
  }
  const body = await r.json().catch(() => ({}));
  if (r.status === 401 || r.status === 403) throw new Refused(body.error ?? `${url}: ${r.status}`);
  if (!r.ok) throw new ApiError(body.error ?? `${method} ${url}: ${r.status}`, r.status);
  return body;
}

export const get = (url) => call('GET', url);
export const del = (url) => call('DELETE', url);

function basic(user, pass) {
  let bin = '';
  for (const b of new TextEncoder().encode(`${user}:${pass}`)) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}

/** Logs in with a user and password: keeps the token for this tab (the server also sets a cookie the player's streams carry). */
export async function login(user, pass) {
  const r = await fetch('/api/v1/login?action=api', { method: 'POST', headers: { 'X-Tidecast-Page': '1', Authorization: basic(user, pass) } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok || !body.token) throw new Error(body.error ?? `the server answered ${r.status}`);
  token = body.token;
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** Forgets a token the server no longer knows (it restarted, or the token expired). */
export function forgetToken() {
  token = null;
  sessionStorage.removeItem(TOKEN_KEY);
}
