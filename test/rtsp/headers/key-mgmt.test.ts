// KeyMgmt header (RFC 4567 §4): one table through parse and format, refusals with their status, a mutation fuzz loop and a fast-check round trip.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatKeyMgmt, parseKeyMgmt, type KeyMgmtHeader } from '../../../server/rtsp/headers/key-mgmt.js';
import { formatMikey, parseMikey, type MikeyMessage } from '../../../server/rtsp/mikey/message.js';
import { srtpMikey } from '../../../server/rtsp/mikey/srtp-policy.js';
import { base64Encode } from '../../../server/sdp/base64.js';
import { catchRtspError, fuzzHeader } from '../fuzz.js';

const MSG = srtpMikey({ key: Uint8Array.from({ length: 30 }, (_, i) => i), ssrcs: [{ policyNo: 0, ssrc: 0x01020304, roc: 0 }] }, 0xe1e2e3e4_00000000n, new Uint8Array(16).fill(9), 7);
const DATA = base64Encode(formatMikey(MSG));
const URI = 'rtsps://127.0.0.1:8322/cam/trackID=0';

const cases: { input: string; value: KeyMgmtHeader; canonical?: string }[] = [
  { input: `prot=mikey; uri="${URI}"; data="${DATA}"`, value: { uri: URI, message: MSG } },
  // GStreamer's gst_sdp_make_keymgmt writes no spaces.
  { input: `prot=mikey;uri="${URI}";data="${DATA}"`, value: { uri: URI, message: MSG }, canonical: `prot=mikey; uri="${URI}"; data="${DATA}"` },
  // uri is optional in the grammar; names are case-insensitive; an unquoted data is read too.
  { input: `PROT=mikey; DATA=${DATA}`, value: { uri: '', message: MSG }, canonical: `prot=mikey; uri=""; data="${DATA}"` },
  // A list: the MIKEY alternative is taken.
  { input: `prot=kerberos; data="AAAA", prot=mikey; uri="${URI}"; data="${DATA}"`, value: { uri: URI, message: MSG }, canonical: `prot=mikey; uri="${URI}"; data="${DATA}"` },
];

const invalid: { input: string; status: number; reason: string }[] = [
  { input: '', status: 400, reason: 'KeyMgmt: empty' },
  { input: 'uri="x"; data="AAAA"', status: 400, reason: 'no prot=' },
  { input: 'prot=kerberos; data="AAAA"', status: 400, reason: 'key management "kerberos" is not supported; only MIKEY' },
  { input: 'prot=mikey; uri="x"', status: 400, reason: 'without data=' },
  { input: 'prot=mikey; data="***"', status: 400, reason: 'not base64' },
  { input: 'prot=mikey; data="AAAA"', status: 400, reason: 'KeyMgmt: MIKEY version 0 is not supported' },
  { input: 'prot=mikey; junk; data="AAAA"', status: 400, reason: '"junk" is not name=value' },
];

describe('KeyMgmt', () => {
  it.each(cases)('parses and formats $input', ({ input, value, canonical }) => {
    expect(parseKeyMgmt(input)).toEqual(value);
    expect(formatKeyMgmt(value)).toBe(canonical ?? input);
    expect(parseKeyMgmt(formatKeyMgmt(value))).toEqual(value);
  });

  it.each(invalid)('rejects $input', ({ input, status, reason }) => {
    const err = catchRtspError(() => parseKeyMgmt(input));
    expect(err.status).toBe(status);
    expect(err.reason).toMatch(/^KeyMgmt: /);
    expect(err.reason).toContain(reason);
  });

  it('fuzz: parse returns or throws RtspError, and round-trips', () => {
    expect(fuzzHeader(parseKeyMgmt, formatKeyMgmt, cases.map((c) => c.input), 13, 5000)).toEqual([]);
  });

  it('fast-check: any URI without quotes or control characters and any MIKEY message round-trip', () => {
    const uri = fc.string({ maxLength: 80 }).filter((s) => !/["\x00-\x1f\x7f]/.test(s));
    const key = fc.uint8Array({ minLength: 30, maxLength: 30 });
    const ssrcs = fc.array(fc.record({ policyNo: fc.constant(0), ssrc: fc.integer({ min: 0, max: 0xffffffff }), roc: fc.integer({ min: 0, max: 0xffffffff }) }), { maxLength: 4 });
    fc.assert(
      fc.property(uri, key, ssrcs, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (u, k, s, t) => {
        const message: MikeyMessage = parseMikey(formatMikey(srtpMikey({ key: k, ssrcs: s }, t, new Uint8Array(16), 1)));
        expect(parseKeyMgmt(formatKeyMgmt({ uri: u, message }))).toEqual({ uri: u, message });
      }),
      { numRuns: 1000 },
    );
  });
});
