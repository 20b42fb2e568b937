// The SRTP policy in MIKEY: the message we send, the keys we accept (GStreamer's, gortsplib's form) and the policies we refuse in words.
import { describe, expect, it } from 'vitest';
import { parseMikey, formatMikey, MikeyError, type MikeyMessage, type PayloadSp } from '../../../server/rtsp/mikey/message.js';
import { rocOf, SP, srtpKeyingOf, srtpMikey } from '../../../server/rtsp/mikey/srtp-policy.js';
import { base64Decode } from '../../../server/sdp/base64.js';

const KEY = Uint8Array.from({ length: 30 }, (_, i) => 100 + i);
const RAND = new Uint8Array(16).fill(7);
const GST = 'AQAFAB7lbnIBAAARIjNEAAAAAAsA7rzE1YHdXT0KEHmNchmVu3ej05FHb3RHNKoBAAAAFQABAQEBEAIBAQMBCgcBAQgBAQoBAQAAACIAIAAeAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdAA==';

function withParam(m: MikeyMessage, type: number, value: number[]): MikeyMessage {
  const sp = m.payloads.find((p): p is PayloadSp => p.type === 'SP')!;
  const params = sp.params.filter((x) => x.type !== type).concat({ type, value: Uint8Array.from(value) });
  return { ...m, payloads: m.payloads.map((p) => (p === sp ? { ...sp, params } : p)) };
}

describe('SRTP keys in MIKEY', () => {
  const ours = srtpMikey({ key: KEY, ssrcs: [{ policyNo: 0, ssrc: 0xcafebabe, roc: 3 }] }, 0xe0000000_00000000n, RAND, 42);

  it('our message: the header maps the SSRC and ROC, T RAND SP KEMAC, AES_CM_128_HMAC_SHA1_80 in full', () => {
    const back = parseMikey(formatMikey(ours));
    expect(back.header).toEqual({ csbId: 42, csIdMap: [{ policyNo: 0, ssrc: 0xcafebabe, roc: 3 }] });
    expect(back.payloads.map((p) => p.type)).toEqual(['T', 'RAND', 'SP', 'KEMAC']);
    const sp = back.payloads[2] as PayloadSp;
    expect(sp.params.map((p) => [p.type, p.value[0]])).toEqual([
      [SP.ENC_ALG, 1], [SP.ENC_KEY_LEN, 16], [SP.AUTH_ALG, 1], [SP.AUTH_KEY_LEN, 20], [SP.SRTP_ENC, 1], [SP.SRTCP_ENC, 1], [SP.SRTP_AUTH, 1], [SP.AUTH_TAG_LEN, 10],
    ]);
    expect(srtpKeyingOf(back)).toEqual({ key: KEY, ssrcs: [{ policyNo: 0, ssrc: 0xcafebabe, roc: 3 }] });
    expect(rocOf(srtpKeyingOf(back), 0xcafebabe)).toBe(3);
    expect(rocOf(srtpKeyingOf(back), 1)).toBe(0);
  });

  it("GStreamer's message (auth key length 10 meaning an 80-bit tag) gives its key", () => {
    const k = srtpKeyingOf(parseMikey(base64Decode(GST)));
    expect(k.key).toEqual(Uint8Array.from({ length: 30 }, (_, i) => i));
    expect(k.ssrcs).toEqual([{ policyNo: 0, ssrc: 0x11223344, roc: 0 }]);
  });

  it('a message without an SP payload takes the RFC 3830 defaults, which are our profile', () => {
    const bare: MikeyMessage = { ...ours, payloads: ours.payloads.filter((p) => p.type !== 'SP') };
    expect(srtpKeyingOf(bare).key).toEqual(KEY);
  });

  const refusals: [string, MikeyMessage, string][] = [
    ['AES-f8', withParam(ours, SP.ENC_ALG, [2]), 'encryption algorithm must be 1 (AES-CM), got 2'],
    ['AES-256', withParam(ours, SP.ENC_KEY_LEN, [32]), 'encryption key length must be 16'],
    ['HMAC_SHA1_32 as GStreamer writes it', withParam(ours, SP.AUTH_KEY_LEN, [4]), 'authentication key length must be 20, got 4'],
    ['a 32-bit tag', withParam(ours, SP.AUTH_TAG_LEN, [4]), 'authentication tag length must be 10'],
    ['SRTP encryption off', withParam(ours, SP.SRTP_ENC, [0]), 'SRTP encryption must be 1 (on), got 0'],
    ['SRTCP encryption off', withParam(ours, SP.SRTCP_ENC, [0]), 'SRTCP encryption must be 1'],
    ['a parameter without a value', withParam(ours, SP.ENC_ALG, []), 'got no value'],
    ['no KEMAC', { ...ours, payloads: ours.payloads.filter((p) => p.type !== 'KEMAC') }, 'no KEMAC payload'],
    ['a 16-byte key', { ...ours, payloads: ours.payloads.map((p) => (p.type === 'KEMAC' ? { type: 'KEMAC' as const, keys: [{ key: KEY.slice(0, 16) }] } : p)) }, 'the MIKEY key is 16 bytes'],
    ['two keys', { ...ours, payloads: ours.payloads.map((p) => (p.type === 'KEMAC' ? { type: 'KEMAC' as const, keys: [{ key: KEY }, { key: KEY }] } : p)) }, 'has 2 keys'],
    ['an MKI', { ...ours, payloads: ours.payloads.map((p) => (p.type === 'KEMAC' ? { type: 'KEMAC' as const, keys: [{ key: KEY, spi: Uint8Array.of(1) }] } : p)) }, 'MKI'],
  ];
  it.each(refusals)('refuses %s', (_name, m, says) => {
    expect(() => srtpKeyingOf(m)).toThrow(MikeyError);
    expect(() => srtpKeyingOf(m)).toThrow(says);
  });

  it('refuses to write a key of the wrong size', () => {
    expect(() => srtpMikey({ key: KEY.slice(1), ssrcs: [] }, 0n, RAND, 1)).toThrow('30 bytes');
  });
});
