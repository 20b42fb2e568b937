// CIDR ranges for the auth `ips`: a table of IPv4, IPv6 and IPv4-mapped addresses in and out of ranges, malformed ranges with their reasons, and a fuzz loop.
import { BlockList, isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { cidrProblem, inAnyCidr, parseAddress, parseCidr } from '../../server/util/cidr.js';
import { prng } from '../helpers/prng.js';

const membership: [range: string, address: string, inside: boolean][] = [
  ['127.0.0.0/8', '127.0.0.1', true],
  ['127.0.0.0/8', '127.255.255.254', true],
  ['127.0.0.0/8', '128.0.0.1', false],
  ['127.0.0.1/32', '127.0.0.2', false],
  ['127.0.0.1', '127.0.0.1', true], // a bare address is a range of one
  ['0.0.0.0/0', '203.0.113.9', true],
  ['192.168.1.0/24', '192.168.1.255', true],
  ['192.168.1.0/24', '192.168.2.0', false],
  ['10.0.0.0/9', '10.127.255.255', true],
  ['10.0.0.0/9', '10.128.0.0', false],
  // Node's dual-stack sockets report IPv4 peers as IPv4-mapped IPv6 (RFC 4291 §2.5.5.2).
  ['127.0.0.0/8', '::ffff:127.0.0.1', true],
  ['192.168.1.0/24', '::FFFF:192.168.1.7', true],
  ['192.168.1.0/24', '::ffff:c0a8:0107', true],
  ['::ffff:0:0/96', '8.8.8.8', true],
  ['::1/128', '::1', true],
  ['::1/128', '0:0:0:0:0:0:0:1', true],
  ['::1/128', '::2', false],
  ['::1/128', '127.0.0.1', false],
  ['fd00::/8', 'fd12:3456::1', true],
  ['fd00::/8', 'fe80::1', false],
  ['fe80::/10', 'fe80::1%eth0', true], // a zone id is ignored
  ['2001:db8::/32', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', true],
  ['2001:db8::/33', '2001:db8:8000::', false],
  ['::/0', '2001:db8::1', true],
  ['::/0', '10.0.0.1', true],
  ['10.0.0.0/8', 'not an address', false],
  ['10.0.0.0/8', '', false],
];

const malformed: [text: string, reason: RegExp][] = [
  ['', /CIDR form/],
  ['10.0.0.0/33', /IPv4 prefix is at most \/32/],
  ['::/129', /IPv6 prefix is at most \/128/],
  ['10.0.0.1/8', /bits set after the \/8 prefix: write the network address, e.g. 10\.0\.0\.0\/8/],
  ['fd00::1/8', /bits set after the \/8 prefix.*fd00::\/8/],
  ['256.0.0.0/8', /CIDR form/],
  ['010.0.0.0/8', /CIDR form/], // leading zeros: octal to some parsers
  ['1.2.3/24', /CIDR form/],
  ['1::2::3/64', /CIDR form/],
  ['12345::/16', /CIDR form/],
  ['10.0.0.0/8/8', /CIDR form/],
  [' 10.0.0.0 /8', /CIDR form/],
  ['localhost', /CIDR form/],
];

describe('CIDR ranges', () => {
  it.each(membership)('%s contains %s: %s', (range, address, inside) => {
    expect(inAnyCidr([parseCidr(range)], address)).toBe(inside);
  });

  it.each(malformed)('refuses %j: %s', (text, reason) => {
    expect(cidrProblem(text)).toMatch(reason);
    expect(() => parseCidr(text)).toThrow(reason);
  });

  it('matches any of several ranges', () => {
    const ranges = ['127.0.0.0/8', '::1/128'].map(parseCidr);
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.9'].map((a) => inAnyCidr(ranges, a))).toEqual([true, true, true]);
    expect(['10.0.0.1', '::2'].map((a) => inAnyCidr(ranges, a))).toEqual([false, false]);
  });

  it('agrees with node:net BlockList on 20 000 seeded addresses and ranges', () => {
    const rnd = prng(11);
    const byte = (): number => Math.floor(rnd() * 256);
    for (let i = 0; i < 20_000; i++) {
      const v6 = rnd() < 0.5;
      const addr = v6 ? Array.from({ length: 8 }, () => ((byte() << 8) | byte()).toString(16)).join(':') : [byte(), byte(), byte(), byte()].join('.');
      const prefix = Math.floor(rnd() * (v6 ? 129 : 33));
      // The network of a random other address, sometimes the address's own.
      const base = rnd() < 0.5 ? addr : v6 ? Array.from({ length: 8 }, () => ((byte() << 8) | byte()).toString(16)).join(':') : [byte(), byte(), byte(), byte()].join('.');
      const list = new BlockList();
      list.addSubnet(base, prefix, v6 ? 'ipv6' : 'ipv4');
      const network = networkOf(base, prefix, v6);
      expect(inAnyCidr([parseCidr(`${network}/${prefix}`)], addr), `${addr} in ${network}/${prefix}`).toBe(list.check(addr, v6 ? 'ipv6' : 'ipv4'));
    }
  });

  it('never throws on seeded garbage and accepts only what node:net calls an address', () => {
    const rnd = prng(12);
    const alphabet = '0123456789abcdefABCDEF:.%/ fgx';
    for (let i = 0; i < 20_000; i++) {
      const len = Math.floor(rnd() * 24);
      let s = '';
      for (let j = 0; j < len; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      expect(() => cidrProblem(s)).not.toThrow();
      const parsed = parseAddress(s);
      if (parsed !== undefined && !s.includes('%')) expect(isIP(s.trim()), s).not.toBe(0);
    }
  });
});

/** The network address of `addr`/`prefix`, written in the family's form. */
function networkOf(addr: string, prefix: number, v6: boolean): string {
  const bytes = parseAddress(addr)!;
  const bits = v6 ? prefix : 96 + prefix;
  for (let bit = bits; bit < 128; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  if (!v6) return `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':');
}
