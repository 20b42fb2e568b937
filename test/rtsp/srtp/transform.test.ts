// SRTP/SRTCP transform: RFC 3711 B.3 key derivation, round trips through our opener and werift's own session, the ROC across a wrap, and forgeries refused.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { ProtectionProfileAes128CmHmacSha1_80, SrtcpSession, SrtpSession } from 'werift-rtp';
import { describe, expect, it } from 'vitest';
import { buildRtpPacket } from '../../../server/rtp/packet.js';
import { buildBye } from '../../../server/rtp/rtcp.js';
import { RolloverCounter } from '../../../server/rtsp/srtp/roc.js';
import { rtpPayloadOffset, SRTP_TAG_LENGTH, SrtpOpener, SrtpSealer } from '../../../server/rtsp/srtp/transform.js';

const u8 = (b: Uint8Array): Uint8Array => new Uint8Array(b);
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const KEY = Uint8Array.from({ length: 30 }, (_, i) => (i * 37 + 11) & 0xff);
const pkt = (seq: number, payload = 'hello srtp', ssrc = 0x1234abcd): Uint8Array =>
  buildRtpPacket({ payloadType: 96, marker: false, sequenceNumber: seq, timestamp: seq * 3000, ssrc }, new TextEncoder().encode(payload));

function wer(key: Uint8Array): { rtp: SrtpSession; rtcp: SrtcpSession } {
  const keys = { localMasterKey: Buffer.from(key.subarray(0, 16)), localMasterSalt: Buffer.from(key.subarray(16)), remoteMasterKey: Buffer.from(key.subarray(0, 16)), remoteMasterSalt: Buffer.from(key.subarray(16)) };
  return { rtp: new SrtpSession({ keys, profile: ProtectionProfileAes128CmHmacSha1_80 }), rtcp: new SrtcpSession({ keys, profile: ProtectionProfileAes128CmHmacSha1_80 }) };
}

describe('SRTP transform', () => {
  it('derives RFC 3711 B.3 session keys from its master key and salt', () => {
    const master = new Uint8Array([...hex('E1F97A0D3E018BE0D64FA32C06DE4139'), ...hex('0EC675AD498AFEEBB6960B3AABE6')]);
    const ctx = wer(master).rtp.localContext;
    expect(ctx.srtpSessionKey.toString('hex').toUpperCase()).toBe('C61E7A93744F39EE10734AFE3FF7A087');
    expect(ctx.srtpSessionSalt.toString('hex').toUpperCase()).toBe('30CBBC08863D8C85D49DB34A9AE1');
    expect(ctx.srtpSessionAuthTag.toString('hex').toUpperCase()).toBe('CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4');
  });

  it('an SRTP packet keeps the header, hides the payload, ends in the HMAC-SHA1-80 tag, and werift decrypts it', () => {
    const plain = pkt(1000);
    const sealed = new SrtpSealer(KEY).sealRtp(plain)!;
    expect(sealed.length).toBe(plain.length + SRTP_TAG_LENGTH);
    expect(u8(sealed.subarray(0, 12))).toEqual(plain.subarray(0, 12));
    expect(Buffer.from(sealed.subarray(12, plain.length)).toString()).not.toBe('hello srtp');
    // The tag is HMAC-SHA1 over header, ciphertext and ROC with the derived auth key (RFC 3711 §4.2).
    const auth = wer(KEY).rtp.localContext.srtpSessionAuthTag;
    const mac = createHmac('sha1', auth).update(sealed.subarray(0, plain.length)).update(Buffer.alloc(4)).digest().subarray(0, 10);
    expect(Buffer.from(sealed.subarray(plain.length))).toEqual(mac);
    expect(new Uint8Array(wer(KEY).rtp.decrypt(Buffer.from(sealed)))).toEqual(plain);
    expect(new SrtpOpener(KEY).openRtp(sealed)).toEqual(plain);
  });

  it('keeps header extensions and CSRCs byte for byte, with the room asked for in front', () => {
    // Two CSRCs, an ONVIF-style extension (profile 0xABAC, one word) werift's RtpHeader would re-write, two payload bytes.
    const ext = Uint8Array.of(0x92, 96, 0, 7, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0xab, 0xac, 0, 1, 1, 2, 3, 4, 0xde, 0xad);
    expect(rtpPayloadOffset(ext)).toBe(28);
    const sealed = new SrtpSealer(KEY).sealRtp(ext, 4)!;
    expect(sealed.length).toBe(4 + ext.length + 10);
    expect(u8(sealed.subarray(4, 32))).toEqual(ext.subarray(0, 28));
    expect(new SrtpOpener(KEY).openRtp(sealed.subarray(4))).toEqual(ext);
  });

  it('the ROC follows a wrap of the sequence number on both sides, and a receiver told the ROC joins mid-cycle', () => {
    const tx = new SrtpSealer(KEY);
    const rx = new SrtpOpener(KEY);
    const seqs = [65530, 65533, 65535, 0, 3, 2, 40000, 7000, 30000];
    for (const s of seqs) expect(rx.openRtp(tx.sealRtp(pkt(s))!), `seq ${s}`).toEqual(pkt(s));
    // After seq 30000 of cycle 1 has been sent: 7000 -> 30000 -> 62000 -> 100 is cycle 2.
    for (const s of [62000, 100]) tx.sealRtp(pkt(s));
    expect(tx.roc(0x1234abcd).current).toBe(2);
    const late = new SrtpOpener(KEY, (ssrc) => (ssrc === 0x1234abcd ? 2 : 0));
    expect(late.openRtp(tx.sealRtp(pkt(200))!)).toEqual(pkt(200));
    expect(new SrtpOpener(KEY).openRtp(tx.sealRtp(pkt(201))!)).toBeUndefined();
  });

  it('refuses a flipped bit, a wrong key, a cut packet, garbage', () => {
    const sealed = new SrtpSealer(KEY).sealRtp(pkt(5))!;
    const rx = new SrtpOpener(KEY);
    const flipped = new Uint8Array(sealed);
    flipped[15]! ^= 1;
    expect(rx.openRtp(flipped)).toBeUndefined();
    expect(new SrtpOpener(KEY.map((b) => b ^ 1)).openRtp(sealed)).toBeUndefined();
    expect(rx.openRtp(sealed.subarray(0, 20))).toBeUndefined();
    expect(rx.openRtp(new Uint8Array(5))).toBeUndefined();
    expect(rx.rejected).toBe(3);
    expect(rx.openRtp(sealed)).toEqual(pkt(5));
  });

  it('SRTCP: sealed once, opened by us and by werift; E flag and index appended; forgeries refused', () => {
    const bye = buildBye([0x1234abcd], 'end');
    const sealed = new SrtpSealer(KEY).sealRtcp(bye)!;
    expect(sealed.length).toBe(bye.length + 4 + 10);
    expect(sealed[bye.length]! & 0x80).toBe(0x80);
    expect(new SrtpOpener(KEY).openRtcp(sealed)).toEqual(bye);
    expect(new Uint8Array(wer(KEY).rtcp.decrypt(Buffer.from(sealed)))).toEqual(bye);
    const bad = new Uint8Array(sealed);
    bad[9]! ^= 0x40;
    expect(new SrtpOpener(KEY).openRtcp(bad)).toBeUndefined();
    expect(new SrtpOpener(KEY).openRtcp(new Uint8Array(3))).toBeUndefined();
  });

  it('fast-check: any packet round-trips; any bytes are refused or opened, never thrown', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), fc.uint8Array({ maxLength: 1400 }), fc.integer({ min: 0, max: 0xffffffff }), (seq, payload, ssrc) => {
        const p = buildRtpPacket({ payloadType: 97, marker: true, sequenceNumber: seq, timestamp: 1, ssrc }, payload);
        expect(new SrtpOpener(KEY).openRtp(new SrtpSealer(KEY).sealRtp(p)!)).toEqual(p);
      }),
      { numRuns: 500 },
    );
    const rx = new SrtpOpener(KEY);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        expect(rx.openRtp(b)).toBeUndefined();
        expect(rx.openRtcp(b)).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });
});

describe('RolloverCounter', () => {
  const cases: [string, number[], number, number][] = [
    ['starts at the ROC it is given', [], 5, 5],
    ['counts a wrap', [65000, 65535, 1], 0, 1],
    ['a late packet from the cycle before does not move it back', [65000, 10, 65500], 0, 1],
    ['a jump under half the space stays in the cycle', [100, 32000], 0, 0],
    ['advance follows a stream it did not see', [60000], 3, 3],
  ];
  it.each(cases)('%s', (_n, seqs, start, roc) => {
    const r = new RolloverCounter(start);
    for (const s of seqs) r.commit(s, r.estimate(s));
    expect(r.current).toBe(roc);
  });

  it('estimates the cycle before for a late packet and the next for an early one', () => {
    const r = new RolloverCounter(4);
    r.commit(100, 4);
    expect(r.estimate(65500)).toBe(3);
    r.commit(60000, 4);
    expect(r.estimate(5)).toBe(5);
    r.advance(10);
    expect(r.current).toBe(5);
  });
});
