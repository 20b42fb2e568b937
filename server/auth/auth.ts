// The auth layer's entry point: who sent a request (anyone, a user, a token), whether they may do what it asks, the 401 challenges, login tokens.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.js';
import { DEFAULT_AUTH_USERS, effectiveAuthMethods, type AuthAction, type AuthMethod } from '../config-auth.js';
import type { Logger } from '../log.js';
import type { DigestAuthorization } from '../rtsp/headers/authorization.js';
import type { AuthChallenge } from '../rtsp/headers/www-authenticate.js';
import type { Presented } from './credentials.js';
import { basicChallenge, digestChallenge, digestMatches, digestShapeProblem, NonceMint, REALM, type NonceMemory } from './digest.js';
import { ExternalAuth, type ExternalOptions } from './external.js';
import { allows } from './permissions.js';
import { LoginThrottle, type ThrottleOptions } from './throttle.js';
import { TokenSealer } from './tokens.js';
import { UserStore } from './users.js';

/** Where a request came in, as the external service is told. */
export type AuthProtocol = 'rtsp' | 'hls' | 'http' | 'api' | 'metrics';

export interface AccessRequest {
  /** The client's address as its socket reports it. */
  ip: string;
  action: AuthAction;
  /** The stream path, without a leading "/" ('' for api and metrics). */
  path: string;
  protocol: AuthProtocol;
  presented: Presented;
  /** The request URI a Digest answer must name (RFC 7616 §3.4.6); unchecked when absent. */
  uri?: string;
  /** Nonces this connection has used: an RTSP connection keeps them past their expiry. */
  nonces?: NonceMemory;
  /** The server's own address on the connection: equal to `ip` when the client runs on this machine. */
  local?: string;
}

/** `user` is '' for anonymous; `owner` is who a session made by this request belongs to. */
export type Granted = { ok: true; user: string; owner: string };
/** 429: too many failures from the address (RTSP answers it as 503 with Retry-After); 503: the external service did not answer. */
export type Refused = { ok: false; status: 400 | 401 | 403 | 429 | 503; reason: string; stale?: boolean; retryAfterS?: number };
export type AccessResult = Granted | Refused;

/** Who the credentials are, before any permission: a user (and who owns what it makes), or why not. */
type Identity = { ok: true; user: string; password?: string; token?: string; owner: string } | Refused;

/** Where refusals are counted: the server's event counters (core/counters.ts), named here by shape (auth imports no core). */
export interface FailureCounter {
  inc(name: string, labels: Record<string, string>): void;
}

export interface AuthOptions {
  now?: () => number;
  /** Where failures are counted (`auth_failures` by protocol and reason): the PathManager's, for /metrics. */
  counters?: FailureCounter;
  throttle?: Partial<ThrottleOptions>;
  external?: Partial<ExternalOptions>;
}

/** Why a request was refused, as /metrics counts it (a few fixed words: the label stays bounded). */
export type AuthFailureReason =
  | 'wrong_credentials' | 'method_not_enabled' | 'bad_digest' | 'bad_nonce' | 'bad_token' | 'token_expired'
  | 'not_our_source' | 'refused_by_service' | 'service_error' | 'forbidden' | 'throttled' | 'malformed';

export type AuthSettings = Pick<Config, 'authUsers' | 'authMethods' | 'authHTTPAddress' | 'authTokenLifetime'>;

const WRONG = 'wrong user name or password';
/** What our own ffmpeg children do with a path: publish it (ffmpeg sources) or read it (renditions). */
export type SourceAction = 'publish' | 'read';
const sourceAction = (a: AuthAction): SourceAction => (a === 'read' ? 'read' : 'publish');

/** The user our own ffmpeg sources publish as (sourceCredentials); never a configured one. */
export const SOURCE_USER = 'tidecast-source';

export class Auth {
  /** Replaced together by reload(). */
  methods: AuthMethod[] = [];
  users: UserStore | undefined;
  external: ExternalAuth | undefined;
  readonly throttle: LoginThrottle;
  readonly nonces: NonceMint;
  readonly tokens: TokenSealer;
  private readonly sourceKey = randomBytes(32);
  private readonly counters: FailureCounter | undefined;

  constructor(
    config: AuthSettings,
    private readonly log: Logger,
    private readonly opts: AuthOptions = {},
  ) {
    const now = opts.now ?? Date.now;
    this.counters = opts.counters;
    this.throttle = new LoginThrottle({ now, ...opts.throttle });
    this.nonces = new NonceMint(undefined, now);
    this.tokens = new TokenSealer(config.authTokenLifetime * 1000, undefined, now);
    this.reload(config);
  }

  /**
   * New users, methods or external service (a config reload). Tokens stay valid and are checked
   * against the new users (a removed user's or changed password's token fails); nonces, the
   * failed-login counts and our sources' credentials stay.
   */
  reload(config: AuthSettings): void {
    const now = this.opts.now ?? Date.now;
    const external = config.authHTTPAddress !== undefined ? new ExternalAuth(config.authHTTPAddress, { now, ...this.opts.external }) : undefined;
    const users = external ? undefined : new UserStore(config.authUsers ?? DEFAULT_AUTH_USERS, now);
    this.methods = effectiveAuthMethods(config);
    this.external = external;
    this.users = users;
    this.tokens.lifetimeMs = config.authTokenLifetime * 1000;
  }

  /** May this request do what it asks? Failures with credentials are logged and counted against the address. */
  async check(req: AccessRequest): Promise<AccessResult> {
    const r = await this.decide(req);
    if (!r.ok) this.countRefusal(req.protocol, r);
    return r;
  }

  /** Counts a refusal for /metrics; a request without credentials answered 401 (the challenge) is not a failure. */
  private countRefusal(protocol: AuthProtocol, r: Refused): void {
    if (r.stale) return;
    const reason = countedAs.get(r) ?? (r.status === 403 ? 'forbidden' : r.status === 429 ? 'throttled' : r.status === 503 ? 'service_error' : r.status === 400 ? 'malformed' : undefined);
    if (reason) this.counters?.inc('auth_failures', { protocol, reason });
  }

  private async decide(req: AccessRequest): Promise<AccessResult> {
    let p = req.presented;
    if (p.kind === 'malformed') return tagged({ ok: false, status: p.status === 401 ? 401 : 400, reason: p.reason }, 'malformed');
    // A cookie that is no good (expired, from before a restart) is ignored: the request is anonymous.
    if (p.kind === 'token' && p.source === 'cookie' && TokenSealer.isOurs(p.token) && !this.tokens.open(p.token).ok) p = { kind: 'none' };
    if (p.kind === 'none') return this.anonymous(req);
    const blocked = this.blockedAnswer(req.ip);
    if (blocked) return blocked;
    const who = await this.identify({ ...req, presented: p });
    if (!who.ok) return who;
    if (who.user === SOURCE_USER) {
      // The password was checked against this action's key: a read key reads, a publish key publishes.
      return req.action === 'publish' || req.action === 'read' ? { ok: true, user: who.user, owner: who.owner } : { ok: false, status: 403, reason: `user ${SOURCE_USER} only publishes or reads its own path` };
    }
    if (this.external) return this.askExternal(req, who.user, who.password ?? '', who.token ?? '', who.owner);
    if (allows(this.users!.permissionsOf(who.user, req.ip), req.action, req.path)) return { ok: true, user: who.user, owner: who.owner };
    return { ok: false, status: 403, reason: `user ${who.user} may not ${doing(req.action, req.path)}` };
  }

  /**
   * What an ffmpeg source of ours (configure-paths.ts) publishes to `path` with, whatever authUsers
   * says: good only for publishing that path, only from this machine, only while this process runs.
   */
  sourceCredentials(path: string, action: SourceAction = 'publish'): { username: string; password: string } {
    return { username: SOURCE_USER, password: this.sourcePassword(path, action) };
  }

  /** One key per action and path: a rendition's reader of its main path (read) cannot publish there. */
  private sourcePassword(path: string, action: SourceAction): string {
    return createHmac('sha256', this.sourceKey).update(`${action}\0${path}`).digest('base64url');
  }

  /** Our own source: the password of its path, from this machine (the connection's two ends have one address). */
  private source(req: AccessRequest, password: string): Identity {
    const expected = Buffer.from(this.sourcePassword(req.path, sourceAction(req.action)));
    const given = Buffer.from(password);
    const ok = given.length === expected.length && timingSafeEqual(given, expected);
    if (!ok || req.local === undefined || req.local !== req.ip) return this.failed(req, SOURCE_USER, 'not our own source', 'not_our_source');
    return { ok: true, user: SOURCE_USER, owner: SOURCE_USER };
  }

  /** The challenges of a 401 on RTSP: Digest (a fresh nonce for this address) before Basic, as authMethods has them. */
  challenges(ip: string, stale = false): AuthChallenge[] {
    const out: AuthChallenge[] = [];
    if (this.methods.includes('digest')) out.push(digestChallenge(this.nonces.issue(ip), stale));
    if (this.methods.includes('basic')) out.push(basicChallenge());
    return out;
  }

  /**
   * The challenges of a 401 on HTTP. Our own pages (which say so) get only Bearer: a Basic challenge
   * would make the browser put up its own password box instead of the page's login form.
   */
  httpChallenges(ip: string, stale: boolean, fromPage: boolean): AuthChallenge[] {
    const bearer: AuthChallenge = { scheme: 'Bearer', realm: REALM, params: [] };
    return fromPage ? [bearer] : [...this.challenges(ip, stale), bearer];
  }

  /**
   * POST /api/v1/login: a token for Basic credentials (or a still-valid token). With `action` the
   * credentials must allow it (the page logs in for what it is about to do); without, they need only
   * be right. The external service is always asked about an action.
   */
  async login(presented: Presented, ip: string, action: AuthAction | undefined, path: string): Promise<({ ok: true; user: string; token: string; expiresAt: number }) | Refused> {
    if (presented.kind !== 'basic' && presented.kind !== 'token') {
      if (presented.kind === 'malformed') return { ok: false, status: 400, reason: presented.reason };
      return { ok: false, status: 401, reason: 'log in with Basic credentials (user name and password), e.g. curl -u alice:secret -X POST .../api/v1/login' };
    }
    if (action === undefined && this.external) return { ok: false, status: 400, reason: 'say what the token is for, e.g. ?action=read&path=cams/door: the authentication service answers for an action' };
    const req: AccessRequest = { ip, action: action ?? 'read', path, protocol: 'api', presented: { ...presented, ...(presented.kind === 'token' ? { source: 'header' as const } : {}) } };
    const blocked = this.blockedAnswer(ip);
    if (blocked) {
      this.countRefusal('api', blocked);
      return blocked;
    }
    const who = await this.identify(req);
    if (!who.ok) {
      this.countRefusal('api', who);
      return who;
    }
    if (who.password === undefined) return { ok: false, status: 400, reason: 'this token cannot be renewed here: log in with a user name and password' };
    if (action !== undefined) {
      const r = await this.check(req);
      if (!r.ok) return r;
    }
    return { ok: true, user: who.user, ...this.tokens.seal(who.user, who.password) };
  }

  private async anonymous(req: AccessRequest): Promise<AccessResult> {
    if (this.external) return this.askExternal(req, '', '', '', '');
    if (allows(this.users!.anonymousPermissions(req.ip), req.action, req.path)) return { ok: true, user: '', owner: '' };
    // Without users nobody can log in: say where the request would be allowed instead.
    const hint = this.users!.hasUsers ? '' : `; no users are configured (authUsers), and ${req.ip} is not an address allowed to do this without one`;
    return { ok: false, status: 401, reason: `${needsLogin(req.action, req.path)}${hint}` };
  }

  private async identify(req: AccessRequest): Promise<Identity> {
    const p = req.presented;
    if (p.kind === 'basic') {
      if (p.user === SOURCE_USER) return this.source(req, p.password);
      if (!this.methods.includes('basic')) return this.failed(req, p.user, 'Basic is not enabled (authMethods)', 'method_not_enabled', 'Basic credentials are not accepted here: answer the Digest challenge');
      return this.password(req, p.user, p.password);
    }
    if (p.kind === 'token') {
      const opened = this.tokens.open(p.token);
      if (opened.ok) return this.password(req, opened.user, opened.password);
      if (this.external && !TokenSealer.isOurs(p.token)) return { ok: true, user: '', token: p.token, owner: `token:${createHash('sha256').update(p.token).digest('hex').slice(0, 16)}` };
      if (opened.why === 'expired') return tagged({ ok: false, status: 401, reason: 'the login token has expired: log in again' }, 'token_expired');
      return this.failed(req, '', 'a token that is not ours', 'bad_token', 'the token is not valid: log in again');
    }
    if (p.kind === 'digest') return this.digest(req, p.auth, p.method);
    return { ok: false, status: 401, reason: WRONG };
  }

  /** A user name and password: the external service judges them with the action later; the store now. */
  private async password(req: AccessRequest, user: string, password: string): Promise<Identity> {
    if (this.external) return { ok: true, user, password, owner: user };
    const v = await this.users!.verify(user, password, req.ip);
    return v.ok ? { ok: true, user, password, owner: user } : this.failed(req, user, v.why, 'wrong_credentials');
  }

  private digest(req: AccessRequest, d: DigestAuthorization, method: string): Identity {
    const ours = d.username === SOURCE_USER;
    if (!this.methods.includes('digest') || (!this.users && !ours)) return this.failed(req, d.username, 'Digest is not enabled', 'method_not_enabled', 'Digest is not accepted here: answer the Basic challenge');
    const shape = digestShapeProblem(d);
    if (shape) return this.failed(req, d.username, shape, 'bad_digest');
    const state = this.nonces.check(d.nonce, req.ip);
    if (state === 'invalid') return this.failed(req, d.username, 'a nonce we did not issue to this address', 'bad_nonce');
    const known = req.nonces?.has(d.nonce) ?? false;
    // RFC 7616 §3.3: an expired nonce is answered with a new one and stale=true, and is no failure.
    if (state === 'stale' && !known) return { ok: false, status: 401, reason: 'the Digest nonce has expired: answer the new challenge', stale: true };
    if (req.uri !== undefined && !sameResource(d.uri, req.uri)) return this.failed(req, d.username, `Digest uri ${d.uri} is not the request's ${req.uri}`, 'bad_digest');
    const secret = ours ? this.sourceDigestSecret(req) : this.users!.digestSecret(d.username, req.ip);
    const match = digestMatches(d, secret.password, method);
    if (secret.refuse || !match) return this.failed(req, d.username, secret.refuse ?? `wrong password for ${d.username}`, 'wrong_credentials');
    req.nonces?.add(d.nonce);
    return { ok: true, user: d.username, owner: d.username };
  }

  private sourceDigestSecret(req: AccessRequest): { password: string; refuse?: string } {
    const password = this.sourcePassword(req.path, sourceAction(req.action));
    return req.local !== undefined && req.local === req.ip ? { password } : { password, refuse: 'not our own source' };
  }

  private async askExternal(req: AccessRequest, user: string, password: string, token: string, owner: string): Promise<AccessResult> {
    const answer = await this.external!.ask({ user, password, token, ip: req.ip, action: req.action, path: req.path, protocol: req.protocol });
    if ('error' in answer) {
      this.log.error({ peer: req.ip, path: req.path, url: this.external!.url, err: answer.error }, `${req.ip} ${req.action} /${req.path}: the authentication service at ${this.external!.url} failed: ${answer.error}`);
      return { ok: false, status: 503, reason: `the authentication service did not answer (${answer.error}); try again later` };
    }
    if (answer.allowed) return { ok: true, user, owner };
    if (user === '' && token === '') return { ok: false, status: 401, reason: needsLogin(req.action, req.path) };
    return this.failed(req, user, `the authentication service refused ${doing(req.action, req.path)}`, 'refused_by_service');
  }

  /** A failed login: logged with the address and path, counted; the client learns nothing more than "wrong". */
  private failed(req: AccessRequest, user: string, why: string, counted: AuthFailureReason, reason = WRONG): Refused {
    const blocked = this.throttle.fail(req.ip);
    this.log.warn({ peer: req.ip, path: req.path, action: req.action, protocol: req.protocol, user, why }, `${req.ip}${user ? ` ${user}` : ''} ${req.action} /${req.path} (${req.protocol}): failed login: ${why}`);
    if (blocked) this.log.warn({ peer: req.ip }, `too many failed logins: logins from ${req.ip} are refused for ${Math.round(this.throttle.blockedFor(req.ip) / 1000)} s`);
    return tagged({ ok: false, status: 401, reason }, counted);
  }

  private blockedAnswer(ip: string): Refused | undefined {
    const ms = this.throttle.blockedFor(ip);
    if (ms === 0) return undefined;
    const s = Math.ceil(ms / 1000);
    return { ok: false, status: 429, reason: `too many failed logins from ${ip}: try again in ${s} s`, retryAfterS: s };
  }
}

/** The reason /metrics counts a refusal under, beside the answer (the answer itself stays what clients and logs see). */
const countedAs = new WeakMap<Refused, AuthFailureReason>();

function tagged(r: Refused, why: AuthFailureReason): Refused {
  countedAs.set(r, why);
  return r;
}

/** "read /cams/door", in words for messages. */
export function doing(action: AuthAction, path: string): string {
  switch (action) {
    case 'read':
      return `read /${path}`;
    case 'publish':
      return `publish to /${path}`;
    case 'playback':
      return `download /${path}`;
    case 'api':
      return 'use the API';
    case 'metrics':
      return 'read /metrics';
  }
}

/** "Reading /cams/door needs a login": the words of a 401 to someone who sent no credentials. */
export function needsLogin(action: AuthAction, path: string): string {
  const what = { read: `Reading /${path}`, publish: `Publishing to /${path}`, playback: `Downloading /${path}`, api: 'Using the API', metrics: 'Reading /metrics' }[action];
  return `${what} needs a login (user name and password)`;
}

/** The Digest `uri` and the request line name the same resource: as written, or the same path without scheme and host. */
function sameResource(digestUri: string, requestUri: string): boolean {
  if (digestUri === requestUri) return true;
  const pathOf = (u: string): string => u.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/\/+$/, '') || '/';
  return pathOf(digestUri) === pathOf(requestUri);
}
