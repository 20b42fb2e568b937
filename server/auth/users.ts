// The configured users: who may connect from where, password checks (an unknown user costs what a wrong password does), and permissions.
import { createHmac, randomBytes } from 'node:crypto';
import { ANONYMOUS_USER, parsePasswordSpec, type AuthUserConfig, type PasswordSpec } from '../config-auth.js';
import { inAnyCidr, parseCidr, type Cidr } from '../util/cidr.js';
import { dummySpec, verifyPassword } from './password.js';
import { compilePermissions, type Permission } from './permissions.js';

interface User {
  name: string;
  spec: PasswordSpec | undefined;
  /** Undefined: from anywhere. */
  ips: Cidr[] | undefined;
  permissions: Permission[];
}

export type Verdict = { ok: true; user: string } | { ok: false; why: string };

/** A successful check is remembered this long: a scrypt hash per HLS part or RTSP request would cost a core. */
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX = 1000;

export class UserStore {
  private readonly named = new Map<string, User>();
  private readonly anonymous: User[] = [];
  private readonly dummy: PasswordSpec;
  private readonly verified = new Map<string, number>();
  private readonly cacheKey = randomBytes(32);

  constructor(
    users: readonly AuthUserConfig[],
    private readonly now: () => number = Date.now,
  ) {
    for (const u of users) {
      const spec = u.pass === undefined ? undefined : parsePasswordSpec(u.pass);
      if (typeof spec === 'string') throw new Error(`user ${u.user}: ${spec}`);
      const user: User = { name: u.user, spec, ips: u.ips?.map(parseCidr), permissions: compilePermissions(u.permissions) };
      if (u.user === ANONYMOUS_USER) this.anonymous.push(user);
      else this.named.set(u.user, user);
    }
    this.dummy = dummySpec([...this.named.values()].flatMap((u) => (u.spec ? [u.spec] : [])));
  }

  /** Users with a password: none means nobody can log in (the default config). */
  get hasUsers(): boolean {
    return this.named.size > 0;
  }

  /** What anyone may do from `ip`: every `any` entry whose ips hold it. */
  anonymousPermissions(ip: string): Permission[] {
    return this.anonymous.filter((u) => fromAllowed(u, ip)).flatMap((u) => u.permissions);
  }

  /** A named user's permissions plus anyone's: a logged-in user may do what an anonymous one may. */
  permissionsOf(user: string, ip: string): Permission[] {
    const own = this.named.get(user)?.permissions ?? [];
    return [...own, ...this.anonymousPermissions(ip)];
  }

  /**
   * Checks a user name and password from `ip`. An unknown name is checked against a dummy hash of
   * the costliest configured form and an address outside the user's `ips` after the password, so
   * neither answers sooner than a wrong password; all three are the same failure to the client.
   */
  async verify(name: string, password: string, ip: string): Promise<Verdict> {
    const user = this.named.get(name);
    const key = this.keyOf(name, password);
    const until = this.verified.get(key);
    let ok: boolean;
    if (user && until !== undefined && until > this.now()) ok = true;
    else ok = await verifyPassword(user?.spec ?? this.dummy, password);
    if (!user) return { ok: false, why: `no user ${JSON.stringify(name)}` };
    if (!ok) return { ok: false, why: `wrong password for ${name}` };
    this.remember(key);
    if (!fromAllowed(user, ip)) return { ok: false, why: `${name} may not connect from ${ip} (ips: ${user.ips!.map((c) => c.text).join(', ')})` };
    return { ok: true, user: name };
  }

  /**
   * The plain-text password Digest needs (RFC 7616 §3.4.2 hashes it with the realm), a dummy one for
   * an unknown user so the work is the same, and why the check must fail whatever the response.
   */
  digestSecret(name: string, ip: string): { password: string; refuse?: string } {
    const user = this.named.get(name);
    if (!user) return { password: randomBytes(16).toString('hex'), refuse: `no user ${JSON.stringify(name)}` };
    if (user.spec?.kind !== 'plain') return { password: randomBytes(16).toString('hex'), refuse: `${name} has a hashed password, which Digest cannot check: use Basic` };
    if (!fromAllowed(user, ip)) return { password: user.spec.password, refuse: `${name} may not connect from ${ip}` };
    return { password: user.spec.password };
  }

  private keyOf(name: string, password: string): string {
    return createHmac('sha256', this.cacheKey).update(name).update('\0').update(password).digest('base64');
  }

  private remember(key: string): void {
    this.verified.delete(key);
    if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(key, this.now() + VERIFIED_TTL_MS);
  }
}

function fromAllowed(u: User, ip: string): boolean {
  return u.ips === undefined || inAnyCidr(u.ips, ip);
}
