// Logging in from the page: when the server answers 401 (or 403), a form asks for a user and password, POST /api/v1/login returns a token the engines carry.

/** Where the token is kept for this tab: a reload or the dashboard's link into the player keeps the login. */
const STORAGE_KEY = 'tidecast-token';
/** Tells the server this is our page: its 401s then offer no Basic challenge, which would put up the browser's own box. */
export const PAGE_HEADERS: Record<string, string> = { 'X-Tidecast-Page': '1' };

/** The server refused the stream: 401 (log in) or 403 (logged in, not allowed); `reason` is its words. */
export class LoginNeededError extends Error {
  override readonly name = 'LoginNeededError';
  constructor(
    readonly status: 401 | 403,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export function storedToken(): string | undefined {
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined; // storage disabled: the login cookie still carries the token
  }
}

function storeToken(token: string): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, token);
  } catch {
    // Storage disabled: the cookie set by the login carries it for same-origin requests.
  }
}

/** `url` with `?token=` when there is one: WebSocket, hls.js and <video> cannot add an Authorization header. */
export function withToken(url: string, token: string | undefined): string {
  if (!token) return url;
  const u = new URL(url, location.href);
  u.searchParams.set('token', token);
  return u.toString();
}

/** A 401 or 403 answer as the error the player asks for a login on, with the server's reason; undefined for other answers. */
export async function refusalOf(res: Response): Promise<LoginNeededError | undefined> {
  if (res.status !== 401 && res.status !== 403) return undefined;
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  return new LoginNeededError(res.status, body.error ?? res.statusText);
}

/** base64 of the UTF-8 `user:password` (btoa alone takes only Latin-1). */
function basic(user: string, password: string): string {
  let bin = '';
  for (const b of new TextEncoder().encode(`${user}:${password}`)) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}

/** What the login is for: the server checks the credentials against it, so a wrong user is told at once. */
export interface LoginPurpose {
  action: 'read' | 'playback' | 'api';
  path?: string;
}

/**
 * Shows the page's login form (`#login`, with `#login-user`, `#login-pass`, `#login-why`, `#login-error`)
 * until the server accepts the credentials; resolves with the token.
 */
export function askLogin(why: string, purpose: LoginPurpose): Promise<string> {
  const form = document.getElementById('login') as HTMLFormElement;
  const user = document.getElementById('login-user') as HTMLInputElement;
  const pass = document.getElementById('login-pass') as HTMLInputElement;
  const error = document.getElementById('login-error') as HTMLElement;
  (document.getElementById('login-why') as HTMLElement).textContent = why;
  error.textContent = '';
  form.hidden = false;
  user.focus();
  return new Promise((resolve) => {
    form.onsubmit = async (ev) => {
      ev.preventDefault();
      error.textContent = 'Logging in…';
      const q = new URLSearchParams({ action: purpose.action, ...(purpose.path ? { path: purpose.path } : {}) });
      let res: Response;
      try {
        res = await fetch(`/api/v1/login?${q}`, { method: 'POST', headers: { ...PAGE_HEADERS, Authorization: basic(user.value, pass.value) } });
      } catch (e) {
        error.textContent = `Cannot reach the server: ${(e as Error).message}`;
        return;
      }
      const body = (await res.json().catch(() => ({}))) as { token?: string; error?: string };
      if (!res.ok || !body.token) {
        error.textContent = body.error ?? `The server answered ${res.status}`;
        pass.value = '';
        pass.focus();
        return;
      }
      storeToken(body.token);
      form.hidden = true;
      pass.value = '';
      form.onsubmit = null;
      resolve(body.token);
    };
  });
}
