// Login tokens: they open to what they sealed until they expire (simulated clock); altered, foreign or oversized ones do not open.
import { describe, expect, it } from 'vitest';
import { TokenSealer } from '../../server/auth/tokens.js';
import { prng } from '../helpers/prng.js';

describe('login tokens', () => {
  it('open to the sealed credentials until they expire', () => {
    let now = 5_000_000;
    const t = new TokenSealer(3600_000, undefined, () => now);
    const { token, expiresAt } = t.seal('alice', 'pä:ss');
    expect(token).toMatch(/^tc1\.[A-Za-z0-9_-]+$/);
    expect(expiresAt).toBe(now + 3600_000);
    expect(t.open(token)).toEqual({ ok: true, user: 'alice', password: 'pä:ss' });
    now += 3599_999;
    expect(t.open(token).ok).toBe(true);
    now += 1;
    expect(t.open(token)).toEqual({ ok: false, why: 'expired' });
  });

  it('hide what they hold: two tokens for the same user differ, and neither contains the password', () => {
    const t = new TokenSealer(60_000);
    const a = t.seal('alice', 'secret').token;
    const b = t.seal('alice', 'secret').token;
    expect(a).not.toBe(b);
    for (const x of [a, b]) expect(Buffer.from(x.slice(4), 'base64url').toString('latin1')).not.toMatch(/secret|alice/);
  });

  it('do not open when altered, from another process, or not ours', () => {
    const t = new TokenSealer(60_000);
    const { token } = t.seal('alice', 'secret');
    expect(new TokenSealer(60_000).open(token)).toEqual({ ok: false, why: 'invalid' });
    const rnd = prng(5);
    for (let i = 0; i < 2000; i++) {
      const at = 4 + Math.floor(rnd() * (token.length - 4));
      const c = token[at] === 'A' ? 'B' : 'A';
      expect(t.open(token.slice(0, at) + c + token.slice(at + 1)).ok).toBe(false);
    }
    for (const bad of ['', 'tc1.', 'tc1.AAAA', 'tc1.!!!!', `tc1.${'A'.repeat(5000)}`, 'eyJhbGciOiJIUzI1NiJ9.e30.sig', token.slice(0, -2)]) {
      expect(t.open(bad), bad.slice(0, 30)).toEqual({ ok: false, why: 'invalid' });
    }
    expect(TokenSealer.isOurs(token)).toBe(true);
    expect(TokenSealer.isOurs('eyJhbGciOiJIUzI1NiJ9.e30.sig')).toBe(false);
  });
});
