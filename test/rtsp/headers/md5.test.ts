// MD5: the RFC 1321 §A.5 test suite, and agreement with node:crypto around the padding boundaries.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { md5, md5Hex } from '../../../server/rtsp/headers/md5.js';
import { prng } from '../../helpers/prng.js';

const rfc1321: [string, string][] = [
  ['', 'd41d8cd98f00b204e9800998ecf8427e'],
  ['a', '0cc175b9c0f1b6a831c399e269772661'],
  ['abc', '900150983cd24fb0d6963f7d28e17f72'],
  ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
  ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
  ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
  ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
];

describe('md5', () => {
  it.each(rfc1321)('RFC 1321 vector %j', (input, hex) => {
    expect(md5Hex(input)).toBe(hex);
  });

  it('hashes strings as UTF-8', () => {
    expect(md5Hex('mot de passe été')).toBe(createHash('md5').update('mot de passe été', 'utf8').digest('hex'));
  });

  it('agrees with node:crypto for every length from 0 to 300 bytes (55/56/63/64 padding edges included)', () => {
    const rnd = prng(7);
    for (let len = 0; len <= 300; len++) {
      const data = Uint8Array.from({ length: len }, () => Math.floor(rnd() * 256));
      expect(Buffer.from(md5(data)).toString('hex'), `length ${len}`).toBe(createHash('md5').update(data).digest('hex'));
    }
  });

  it('hashes a 1 MiB buffer', () => {
    const data = new Uint8Array(1 << 20).map((_, i) => (i * 31) & 0xff);
    expect(md5Hex(data)).toBe(createHash('md5').update(data).digest('hex'));
  });
});
