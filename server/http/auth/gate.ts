// The HTTP gate: every request checked before any route (401 with challenges, 403, 429), and POST /api/v1/login and /logout for tokens.
import type { Express, NextFunction, Request, Response } from 'express';
import type { Refused } from '../../auth/auth.js';
import { fromAuthorization, fromHttp, TOKEN_COOKIE } from '../../auth/credentials.js';
import { AUTH_ACTIONS, type AuthAction } from '../../config-auth.js';
import { formatChallenge } from '../../rtsp/headers/www-authenticate.js';
import type { HttpContext } from '../context.js';
import { HttpError } from '../errors.js';
import { ruleFor } from './rules.js';

/** Our pages send this header: their 401s then carry no Basic challenge, so the browser shows the page's form, not its own box. */
export const PAGE_HEADER = 'x-tidecast-page';

const peerOf = (req: Request): string => (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');

export function installAuth(app: Express, ctx: HttpContext): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    gate(ctx, req, res).then((pass) => (pass ? next() : undefined), next);
  });
}

async function gate(ctx: HttpContext, req: Request, res: Response): Promise<boolean> {
  const rule = ruleFor(req.path);
  if (rule.kind === 'public') return true;
  if (rule.kind === 'login') {
    await login(ctx, req, res);
    return false;
  }
  if (rule.kind === 'logout') {
    logout(req, res);
    return false;
  }
  const ip = peerOf(req);
  const r = await ctx.auth.check({ ip, action: rule.action, path: rule.path, protocol: rule.protocol, presented: fromHttp(req.headers, req.originalUrl, req.method), uri: req.originalUrl });
  if (!r.ok) throw refusal(ctx, req, r);
  if (r.user !== '') keepPrivate(res);
  res.locals.user = r.user;
  return true;
}

/**
 * A response for a logged-in user must not be kept by a shared cache and served to others: segments
 * and files say `public, ... immutable`, which becomes `private` here.
 */
function keepPrivate(res: Response): void {
  const set = res.setHeader.bind(res);
  res.setHeader = (name: string, value: number | string | readonly string[]) => set(name, name.toLowerCase() === 'cache-control' ? String(value).replace(/\bpublic\b/, 'private') : value);
  res.setHeader('Vary', 'Authorization, Cookie');
}

/** POST /api/v1/login[?action=read&path=cams/door] with Basic: `{user, token, expiresAt}` and the token as an HttpOnly cookie. */
async function login(ctx: HttpContext, req: Request, res: Response): Promise<void> {
  if (req.method !== 'POST') throw new HttpError(405, 'log in with POST /api/v1/login and Basic credentials, e.g. curl -u alice:secret -X POST http://host:8888/api/v1/login', { Allow: 'POST' });
  const action = queryText(req.query.action);
  if (action !== undefined && !(AUTH_ACTIONS as readonly string[]).includes(action)) throw new HttpError(400, `action=${action} is not one of ${AUTH_ACTIONS.join(', ')}`);
  const path = (queryText(req.query.path) ?? '').replace(/^\/+/, '');
  const r = await ctx.auth.login(fromAuthorization(req.headers.authorization, req.method), peerOf(req), action as AuthAction | undefined, path);
  if (!r.ok) throw refusal(ctx, req, r);
  const maxAge = Math.max(0, Math.floor((r.expiresAt - Date.now()) / 1000));
  res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${r.token}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${req.secure ? '; Secure' : ''}`);
  res.setHeader('Cache-Control', 'no-store');
  res.json({ user: r.user, token: r.token, expiresAt: new Date(r.expiresAt).toISOString() });
}

function logout(req: Request, res: Response): void {
  if (req.method !== 'POST') throw new HttpError(405, 'log out with POST /api/v1/logout', { Allow: 'POST' });
  res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`);
  res.setHeader('Cache-Control', 'no-store');
  res.json({ ok: true });
}

function queryText(v: unknown): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s !== '' ? s : undefined;
}

function refusal(ctx: HttpContext, req: Request, r: Refused): HttpError {
  if (r.status === 401) {
    const fromPage = req.headers[PAGE_HEADER] !== undefined;
    return new HttpError(401, r.reason, { 'WWW-Authenticate': ctx.auth.httpChallenges(peerOf(req), r.stale === true, fromPage).map(formatChallenge) });
  }
  if (r.status === 429) return new HttpError(429, r.reason, { 'Retry-After': String(r.retryAfterS ?? 60) });
  return new HttpError(r.status, r.reason);
}
