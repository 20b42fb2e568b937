// A relay's switch of upstream: seq, time and SSRC go on from the last packet sent; sender reports follow; nothing throws on any bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRtpPacket, parseRtpPacket } from '../../../server/rtp/packet.js';
import { RtpContinuity } from '../../../server/sources/relay/continuity.js';
import { fuzz } from '../../helpers/fuzz.js';

const pkt = (seq: number, ts: number, ssrc: number): Uint8Array =>
  buildRtpPacket({ marker: false, payloadType: 96, sequenceNumber: seq, timestamp: ts, ssrc }, new Uint8Array([1, 2, 3]));
const head = (p: Uint8Array): [number, number, number] => {
  const r = parseRtpPacket(p);
  return [r.sequenceNumber, r.timestamp, r.ssrc];
};
/** An RTCP sender report: SSRC at 4, NTP at 8, RTP time at 16. */
function sr(ssrc: number, rtptime: number): Uint8Array {
  const b = new Uint8Array(28);
  const v = new DataView(b.buffer);
  b[0] = 0x80;
  b[1] = 200;
  v.setUint16(2, 6);
  v.setUint32(4, ssrc);
  v.setUint32(16, rtptime);
  return b;
}

describe('RtpContinuity', () => {
  it('passes the first upstream through unchanged', () => {
    const c = new RtpContinuity([90000]);
    expect(head(c.rtp(0, pkt(100, 5000, 7), 0))).toEqual([100, 5000, 7]);
    expect(head(c.rtp(0, pkt(101, 8000, 7), 33))).toEqual([101, 8000, 7]);
    expect(c.rtcp(0, sr(7, 8000))).toEqual(sr(7, 8000));
  });

  it('maps the next upstream to follow on: seq + 1, time + the wall time between, the old SSRC; its SRs too', () => {
    const c = new RtpContinuity([90000, 48000]);
    c.rtp(0, pkt(65535, 4294967000, 7), 1000);
    c.rtp(1, pkt(10, 480, 8), 1000);
    c.rebase();
    // A report of the new upstream before its first packet has no mapping: dropped.
    expect(c.rtcp(0, sr(99, 1))).toBeUndefined();
    // 100 ms later at 90 kHz: 9000 ticks on, the time wraps.
    expect(head(c.rtp(0, pkt(500, 1000, 99), 1100))).toEqual([0, (4294967000 + 9000) >>> 0, 7]);
    expect(head(c.rtp(0, pkt(501, 4000, 99), 1133))).toEqual([1, (4294967000 + 12000) >>> 0, 7]);
    expect(head(c.rtp(1, pkt(3, 100, 98), 1200))).toEqual([11, 480 + 9600, 8]);
    const mapped = new DataView(c.rtcp(0, sr(99, 4000))!.buffer);
    expect([mapped.getUint32(4), mapped.getUint32(16)]).toEqual([7, (4294967000 + 12000) >>> 0]);
  });

  it('a track new with the second upstream passes unchanged; short packets pass', () => {
    const c = new RtpContinuity([90000, 48000]);
    c.rtp(0, pkt(1, 1, 1), 0);
    c.rebase();
    expect(head(c.rtp(1, pkt(50, 60, 70), 10))).toEqual([50, 60, 70]);
    expect(c.rtp(0, new Uint8Array(5), 10)).toEqual(new Uint8Array(5));
  });

  it('never throws, whatever the bytes and switches (fuzz)', () => {
    fuzz('relay continuity', 1717, 300, fc.property(fc.array(fc.tuple(fc.nat(2), fc.uint8Array({ maxLength: 40 }), fc.boolean(), fc.boolean()), { maxLength: 40 }), (steps) => {
      const c = new RtpContinuity([90000, 48000]);
      let now = 0;
      for (const [track, bytes, rebase, rtcp] of steps) {
        if (rebase) c.rebase();
        now += 10;
        if (rtcp) c.rtcp(track, bytes);
        else c.rtp(track, bytes, now);
      }
    }));
  });
});
