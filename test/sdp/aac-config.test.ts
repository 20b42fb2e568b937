import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { describedAacFmtp, describedAsc } from '../../server/sdp/aac-config.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

describe('describedAsc: the config an SDP carries', () => {
  it.each([
    { asc: '119056e500', out: '1190', why: "ffmpeg's LC 48 kHz stereo with the no-SBR signalling: the core" },
    { asc: '121056e500', out: '1210', why: 'LC 44.1 kHz stereo, same extension' },
    { asc: '1190', out: '1190', why: 'a plain core as it is' },
    { asc: '2b92080000', out: '2b92080000', why: 'not the no-SBR extension: as it is' },
    { asc: '119256e500', out: '119256e500', why: 'dependsOnCoreCoder set (14 more bits follow): as it is' },
    { asc: 'f89056e500', out: 'f89056e500', why: 'escaped object type: as it is' },
    { asc: '118056e500', out: '118056e500', why: 'channel configuration 0 (a PCE follows): as it is' },
    { asc: '', out: '', why: 'empty: as it is' },
  ])('$asc -> $out ($why)', ({ asc, out }) => {
    expect(hex(describedAsc(bytes(asc)))).toBe(out);
  });

  it('never throws, and returns the input or its first 2 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), (a) => {
        const r = describedAsc(a);
        expect(r === a || (a.length === 5 && hex(r) === hex(a.subarray(0, 2)))).toBe(true);
      }),
    );
  });
});

describe('describedAacFmtp: a publisher fmtp', () => {
  it.each([
    ['profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3; config=119056E500', 'profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3; config=1190'],
    ['config=119056e500;mode=AAC-hbr', 'config=1190;mode=AAC-hbr'],
    ['mode=AAC-hbr;config=1190', 'mode=AAC-hbr;config=1190'],
    ['mode=AAC-hbr;config=2b92080000', 'mode=AAC-hbr;config=2b92080000'],
    ['mode=AAC-hbr', 'mode=AAC-hbr'],
  ])('%s', (fmtp, out) => {
    expect(describedAacFmtp(fmtp)).toBe(out);
  });
});
