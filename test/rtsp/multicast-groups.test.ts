// The multicast range: CIDR parsing, the group pool (distinct, reusable, never the reserved ones) and the config checks.
import { describe, expect, it } from 'vitest';
import { ConfigError, makeConfig } from '../../server/config.js';
import { GroupPool } from '../../server/rtsp/multicast-groups.js';
import { inRange, multicastRangeProblem, parseMulticastRange } from '../../server/util/multicast-range.js';

describe('multicast range', () => {
  const cases: [string, string | undefined][] = [
    ['224.1.0.0/16', undefined],
    ['239.255.42.0/29', undefined],
    ['239.1.2.3/32', undefined],
    ['224.0.0.0/4', undefined],
    ['10.0.0.0/8', 'is not inside 224.0.0.0/4'],
    ['224.0.0.0/3', 'prefix of 4-32'],
    ['224.0.0.0/24', 'reserved for routing protocols'],
    ['224.1.0.0', 'CIDR form'],
    ['224.1.0.300/16', 'CIDR form'],
    ['', 'CIDR form'],
  ];
  for (const [text, problem] of cases) {
    it(`${JSON.stringify(text)} -> ${problem ?? 'ok'}`, () => {
      const got = multicastRangeProblem(text);
      if (problem === undefined) expect(got).toBeUndefined();
      else expect(got).toContain(problem);
    });
  }

  it('masks the host bits and tells addresses inside from outside', () => {
    const r = parseMulticastRange('239.255.42.77/29');
    expect(inRange(r, '239.255.42.72')).toBe(true);
    expect(inRange(r, '239.255.42.79')).toBe(true);
    expect(inRange(r, '239.255.42.80')).toBe(false);
    expect(inRange(r, 'not-an-ip')).toBe(false);
  });
});

describe('group pool', () => {
  it('hands out distinct groups, skipping the first and last address, until the range is full', () => {
    const pool = new GroupPool(parseMulticastRange('239.255.42.0/29'));
    const got = Array.from({ length: 7 }, () => pool.take());
    expect(got).toEqual(['239.255.42.1', '239.255.42.2', '239.255.42.3', '239.255.42.4', '239.255.42.5', '239.255.42.6', undefined]);
    pool.release('239.255.42.3');
    expect(pool.take()).toBe('239.255.42.3');
  });

  it('reuses a released group last, so a late packet for an old stream rarely reaches a new one', () => {
    const pool = new GroupPool(parseMulticastRange('224.1.0.0/16'));
    const a = pool.take()!;
    pool.release(a);
    expect(pool.take()).not.toBe(a);
  });

  it('a /32 range has its one group', () => {
    const pool = new GroupPool(parseMulticastRange('239.1.2.3/32'));
    expect(pool.take()).toBe('239.1.2.3');
    expect(pool.take()).toBeUndefined();
  });
});

describe('multicast settings', () => {
  it('defaults to MediaMTX values', () => {
    const c = makeConfig({});
    expect([c.multicastIPRange, c.multicastRTPPort, c.multicastRTCPPort, c.multicastTTL]).toEqual(['224.1.0.0/16', 8002, 8003, 16]);
  });

  it('refuses a range outside multicast, an odd RTP port, and RTCP not on RTP + 1, each in words', () => {
    expect(() => makeConfig({ multicastIPRange: '192.168.0.0/16' })).toThrow(/multicastIPRange: 192\.168\.0\.0\/16 is not inside 224\.0\.0\.0\/4/);
    expect(() => makeConfig({ multicastRTPPort: 9001, multicastRTCPPort: 9002 })).toThrow(/multicastRTPPort must be even/);
    expect(() => makeConfig({ multicastRTPPort: 9000, multicastRTCPPort: 9005 })).toThrow(ConfigError);
    expect(() => makeConfig({ multicastRTPPort: 9000, multicastRTCPPort: 9005 })).toThrow(/multicastRTCPPort: must be multicastRTPPort \+ 1/);
  });
});
