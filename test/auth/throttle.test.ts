// Failed-login throttling on a simulated clock: the 5th failure within a minute blocks the address for a minute; others are not affected; memory stays bounded.
import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../server/auth/throttle.js';

function clock(): { now: () => number; advance(ms: number): void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('failed-login throttle', () => {
  it('blocks after 5 failures within a minute, for a minute', () => {
    const c = clock();
    const th = new LoginThrottle({ now: c.now });
    for (let i = 1; i <= 4; i++) {
      expect(th.fail('10.0.0.1'), `failure ${i}`).toBe(false);
      expect(th.blockedFor('10.0.0.1')).toBe(0);
      c.advance(10_000);
    }
    expect(th.fail('10.0.0.1')).toBe(true);
    expect(th.blockedFor('10.0.0.1')).toBe(60_000);
    expect(th.blockedFor('10.0.0.2')).toBe(0);
    c.advance(59_999);
    expect(th.blockedFor('10.0.0.1')).toBe(1);
    c.advance(1);
    expect(th.blockedFor('10.0.0.1')).toBe(0);
    // The count started again: one more failure does not block.
    expect(th.fail('10.0.0.1')).toBe(false);
  });

  it('forgets failures older than the minute', () => {
    const c = clock();
    const th = new LoginThrottle({ now: c.now });
    for (let i = 0; i < 4; i++) th.fail('10.0.0.1');
    c.advance(60_000);
    expect(th.fail('10.0.0.1')).toBe(false);
    for (let i = 0; i < 3; i++) expect(th.fail('10.0.0.1')).toBe(false);
    expect(th.fail('10.0.0.1')).toBe(true);
  });

  it('counts an IPv4-mapped address as the IPv4 one, and an IPv6 /64 as one address', () => {
    const c = clock();
    const th = new LoginThrottle({ now: c.now });
    th.fail('192.0.2.7');
    th.fail('::ffff:192.0.2.7');
    th.fail('2001:db8:1:2::1');
    th.fail('2001:db8:1:2:ffff::9');
    th.fail('2001:DB8:1:2:0:0:0:7');
    th.fail('2001:0db8:0001:0002::8');
    expect(th.blockedFor('2001:db8:1:2::42')).toBe(0);
    th.fail('192.0.2.7');
    th.fail('192.0.2.7');
    expect(th.blockedFor('192.0.2.7')).toBe(0);
    th.fail('::ffff:c000:207');
    expect(th.blockedFor('192.0.2.7')).toBe(60_000);
    th.fail('2001:db8:1:2::9');
    expect(th.blockedFor('2001:db8:1:2::42')).toBe(60_000);
    expect(th.blockedFor('2001:db8:1:3::1')).toBe(0);
  });

  it('remembers at most maxAddresses, forgetting the least recently failed', () => {
    const c = clock();
    const th = new LoginThrottle({ now: c.now, maxAddresses: 100, maxFailures: 2 });
    th.fail('10.9.9.9');
    for (let i = 0; i < 10_000; i++) th.fail(`10.0.${i >> 8}.${i & 255}`);
    expect(th.size).toBe(100);
    // 10.9.9.9 was forgotten: its next failure is its first.
    expect(th.fail('10.9.9.9')).toBe(false);
  });
});
