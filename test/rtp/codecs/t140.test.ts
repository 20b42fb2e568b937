// T.140 timed text over RTP (RFC 4103) as Tidecast maps subtitle cues onto it: one cue per packet,
// line breaks as U+2028, cuts at character boundaries, empty payloads as clears, and a fuzz round trip.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeT140, encodeT140, frameText, packetizeT140, T140Depacketizer } from '../../../server/rtp/codecs/t140.js';
import { fuzz } from '../../helpers/fuzz.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('T.140 (RFC 4103) cues', () => {
  it.each<[string, string, string]>([
    ['plain text', 'Hello', 'Hello'],
    ['a line break becomes U+2028', 'one\ntwo', 'one\u2028two'],
    ['CR LF is one line break', 'one\r\ntwo', 'one\u2028two'],
    ['non-ASCII text', 'déjà vu — 字幕', 'déjà vu — 字幕'],
    ['a clear is empty', '', ''],
  ])('%s', (_, text, wire) => {
    expect(new TextDecoder().decode(encodeT140(text, 1400))).toBe(wire);
    expect(decodeT140(encodeT140(text, 1400))).toBe(text.replace(/\r\n/g, '\n'));
  });

  it('a cue longer than the MTU is cut at a character boundary', () => {
    const p = encodeT140('é'.repeat(10), 7); // 2 bytes per character: 3 fit
    expect(p.length).toBe(6);
    expect(decodeT140(p)).toBe('ééé');
  });

  it('the receiver drops BOMs and reads T.140 CR LF as a line break', () => {
    expect(decodeT140(utf8('\uFEFFa\r\nb'))).toBe('a\nb');
  });

  it('one payload per access unit; no data is a clear', () => {
    expect(packetizeT140([utf8('a\nb')], 1400).map((p) => new TextDecoder().decode(p))).toEqual(['a\u2028b']);
    expect(packetizeT140([], 1400)).toEqual([new Uint8Array(0)]);
  });

  it('each packet is one frame; an empty one clears; a gap marks the next damaged; duplicates are dropped', () => {
    const d = new T140Depacketizer();
    const f1 = d.push({ payload: utf8('a\u2028b'), marker: true, timestamp: 1000, sequenceNumber: 1 });
    const dup = d.push({ payload: utf8('a'), marker: true, timestamp: 1000, sequenceNumber: 1 });
    const f2 = d.push({ payload: new Uint8Array(0), marker: false, timestamp: 2500, sequenceNumber: 2 });
    const f3 = d.push({ payload: utf8('c'), marker: true, timestamp: 4000, sequenceNumber: 5 });
    expect(dup).toEqual([]);
    expect([...f1, ...f2, ...f3].map((f) => [f.timestamp, frameText(f), !!f.damaged])).toEqual([
      [1000, 'a\nb', false],
      [2500, '', false],
      [4000, 'c', true],
    ]);
  });

  it('fuzz: any text round-trips through a packet (cut to the MTU), and any payload decodes without throwing', () => {
    fuzz('t140 round trip', 4140, 300, fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.integer({ min: 1, max: 1500 }), (text, mtu) => {
      const p = encodeT140(text, mtu);
      expect(p.length).toBeLessThanOrEqual(mtu);
      const back = decodeT140(p);
      const want = text.replace(/\r\n?/g, '\n').replace(/\uFEFF/g, '').replace(/\u2028/g, '\n');
      expect(want.startsWith(back)).toBe(true);
      if (p.length === new TextEncoder().encode(text.replace(/\r\n?/g, '\n').replace(/\n/g, '\u2028')).length) expect(back).toBe(want);
    }));
    const d = new T140Depacketizer();
    fuzz('t140 depacketizer', 4141, 300, fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 0xffff }), (payload, seq) => {
      for (const f of d.push({ payload, marker: true, timestamp: 0, sequenceNumber: seq })) expect(typeof frameText(f)).toBe('string');
    }));
  });
});
