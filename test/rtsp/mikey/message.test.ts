// MIKEY messages: a table through parse and format (one made by GStreamer's gstmikey.c), the refusals in words, and fast-check round trips and garbage.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMikey, MikeyError, parseMikey, type MikeyMessage, type MikeyPayload } from '../../../server/rtsp/mikey/message.js';
import { base64Decode } from '../../../server/sdp/base64.js';

const KEY = Uint8Array.from({ length: 30 }, (_, i) => i);
const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!.map((h) => parseInt(h, 16)));

/**
 * gst_mikey_message_new_from_caps (GStreamer 1.22, the code rtspsrc's SETUP and rtspclientsink's
 * ANNOUNCE use) for key 00..1d and SSRC 0x11223344: T, RAND, an SP whose "auth key length" is 10,
 * and a KEMAC with one TEK.
 */
const GST = 'AQAFAB7lbnIBAAARIjNEAAAAAAsA7rzE1YHdXT0KEHmNchmVu3ej05FHb3RHNKoBAAAAFQABAQEBEAIBAQMBCgcBAQgBAQoBAQAAACIAIAAeAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdAA==';

const p = (type: number, v: number): { type: number; value: Uint8Array } => ({ type, value: Uint8Array.of(v) });

const cases: { name: string; bytes: Uint8Array; value: MikeyMessage }[] = [
  {
    name: 'GStreamer rtspsrc/rtspclientsink',
    bytes: base64Decode(GST),
    value: {
      header: { csbId: 0x1ee56e72, csIdMap: [{ policyNo: 0, ssrc: 0x11223344, roc: 0 }] },
      payloads: [
        { type: 'T', tsType: 0, value: 0xeebcc4d581dd5d3dn },
        { type: 'RAND', data: hex('79 8d 72 19 95 bb 77 a3 d3 91 47 6f 74 47 34 aa'.replace(/ /g, '')) },
        { type: 'SP', policyNo: 0, protType: 0, params: [p(0, 1), p(1, 16), p(2, 1), p(3, 10), p(7, 1), p(8, 1), p(10, 1)] },
        { type: 'KEMAC', keys: [{ key: KEY }] },
      ],
    },
  },
  {
    name: 'two SSRCs with ROCs, an SPI, a COUNTER timestamp',
    bytes: hex(
      '0100' + '05' + '00' + 'deadbeef' + '02' + '00' + '00' + '00000001' + '00000000' + '01' + 'ffffffff' + '00010002' +
        '01' + '02' + '00000007' +
        '00' + '00' + '0025' + '00' + '21' + '001e' + Array.from(KEY, (b) => b.toString(16).padStart(2, '0')).join('') + '02' + 'abcd' + '00',
    ),
    value: {
      header: { csbId: 0xdeadbeef, csIdMap: [{ policyNo: 0, ssrc: 1, roc: 0 }, { policyNo: 1, ssrc: 0xffffffff, roc: 0x10002 }] },
      payloads: [
        { type: 'T', tsType: 2, value: 7n },
        { type: 'KEMAC', keys: [{ key: KEY, spi: hex('abcd') }] },
      ],
    },
  },
  {
    name: 'a header and nothing else',
    bytes: hex('0100000000000001' + '0000'),
    value: { header: { csbId: 1, csIdMap: [] }, payloads: [] },
  },
];

const refusals: { name: string; bytes: Uint8Array; says: string }[] = [
  { name: 'empty', bytes: new Uint8Array(0), says: 'MIKEY header is cut short' },
  { name: 'version 2', bytes: hex('0200000000000001' + '0000'), says: 'MIKEY version 2 is not supported' },
  { name: 'a DH message', bytes: hex('0104000000000001' + '0000'), says: 'MIKEY data type 4 is not supported' },
  { name: 'V flag', bytes: hex('0100008000000001' + '0000'), says: 'V flag set' },
  { name: 'map type 1', bytes: hex('0100000000000001' + '0001'), says: 'CS ID map type 1' },
  { name: 'a map entry cut short', bytes: hex('0100000000000001' + '0100' + '0000'), says: 'CS ID map is cut short' },
  { name: 'an unknown payload', bytes: hex('0100' + '03' + '0000000001' + '0000' + '00'), says: 'payload type 3 is not supported' },
  { name: 'RAND of 8 bytes', bytes: hex('0100' + '0b' + '0000000001' + '0000' + '00' + '08' + '0000000000000000'), says: 'at least 16 are required' },
  { name: 'KEMAC with AES-KW', bytes: hex('0100' + '01' + '0000000001' + '0000' + '00' + '02' + '0000' + '00'), says: 'encryption algorithm 2 is not supported' },
  {
    name: 'KEMAC with a MAC',
    bytes: hex('0100' + '01' + '0000000001' + '0000' + '00' + '00' + '0005' + '00' + '20' + '0001' + 'aa' + '01'),
    says: 'MAC algorithm 1 is not supported',
  },
  { name: 'a TGK', bytes: hex('0100' + '01' + '0000000001' + '0000' + '00' + '00' + '0005' + '00' + '00' + '0001' + 'aa' + '00'), says: 'key data type 0' },
  { name: 'trailing bytes', bytes: hex('0100000000000001' + '0000' + '0102'), says: '2 bytes after the last MIKEY payload' },
  { name: 'an SP parameter running over', bytes: hex('0100' + '0a' + '0000000001' + '0000' + '00' + '0000' + '0002' + '0005'), says: 'run past' },
];

describe('MIKEY message', () => {
  it.each(cases)('parses and formats: $name', ({ bytes, value }) => {
    expect(parseMikey(bytes)).toEqual(value);
    expect(formatMikey(value)).toEqual(bytes);
  });

  it("accepts the one zero byte of padding Milestone XProtect adds (as gortsplib does)", () => {
    const padded = new Uint8Array([...cases[2]!.bytes, 0]);
    expect(parseMikey(padded)).toEqual(cases[2]!.value);
  });

  it.each(refusals)('refuses $name in words', ({ bytes, says }) => {
    expect(() => parseMikey(bytes)).toThrow(MikeyError);
    expect(() => parseMikey(bytes)).toThrow(says);
  });

  const bytes = (min: number, max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: min, maxLength: max });
  const payload: fc.Arbitrary<MikeyPayload> = fc.oneof(
    fc.record({ type: fc.constant('T' as const), tsType: fc.constant(0 as const), value: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
    fc.record({ type: fc.constant('T' as const), tsType: fc.constant(2 as const), value: fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }) }),
    fc.record({ type: fc.constant('RAND' as const), data: bytes(16, 64) }),
    fc.record({
      type: fc.constant('SP' as const),
      policyNo: fc.integer({ min: 0, max: 255 }),
      protType: fc.constant(0),
      params: fc.array(fc.record({ type: fc.integer({ min: 0, max: 255 }), value: bytes(0, 8) }), { maxLength: 12 }),
    }),
    fc.record({
      type: fc.constant('KEMAC' as const),
      keys: fc.array(fc.oneof(fc.record({ key: bytes(0, 40) }), fc.record({ key: bytes(0, 40), spi: bytes(0, 8) })), { minLength: 1, maxLength: 3 }),
    }),
  );
  const message: fc.Arbitrary<MikeyMessage> = fc.record({
    header: fc.record({
      csbId: fc.integer({ min: 0, max: 0xffffffff }),
      csIdMap: fc.array(fc.record({ policyNo: fc.integer({ min: 0, max: 255 }), ssrc: fc.integer({ min: 0, max: 0xffffffff }), roc: fc.integer({ min: 0, max: 0xffffffff }) }), { maxLength: 6 }),
    }),
    payloads: fc.array(payload, { maxLength: 6 }),
  });

  it('fast-check: every message formats and parses back to itself', () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(parseMikey(formatMikey(m))).toEqual(m);
      }),
      { numRuns: 2000 },
    );
  });

  it('fast-check: random bytes and damaged real messages parse or throw MikeyError, nothing else', () => {
    const seeds = cases.map((c) => c.bytes);
    const damaged = fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat()).map(([b, at, v, cut]) => {
      const out = b.slice(0, b.length - (cut % 4 === 0 ? cut % Math.max(1, b.length) : 0));
      if (out.length) out[at % out.length] = v;
      return out;
    });
    fc.assert(
      fc.property(fc.oneof(bytes(0, 120), damaged), (b) => {
        try {
          const m = parseMikey(b);
          expect(parseMikey(formatMikey(m))).toEqual(m);
        } catch (e) {
          if (!(e instanceof MikeyError)) throw e;
        }
      }),
      { numRuns: 20_000 },
    );
  });
});
