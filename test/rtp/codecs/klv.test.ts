// KLV over RTP (RFC 6597): units across packets reassembled on the marker, losses and lost markers
// marked damaged, oversized units dropped, and a fast-check round trip.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KlvDepacketizer, MAX_KLV_UNIT, packetizeKlv } from '../../../server/rtp/codecs/klv.js';
import { fuzz } from '../../helpers/fuzz.js';

const UNIT = Uint8Array.from(Buffer.from('060e2b34020b01010e010301010000000a02080000000000000001', 'hex'));

function push(d: KlvDepacketizer, payloads: Uint8Array[], ts: number, seq0: number, lastMarker = true) {
  return payloads.flatMap((payload, i) => d.push({ payload, marker: lastMarker && i === payloads.length - 1, timestamp: ts, sequenceNumber: (seq0 + i) & 0xffff }));
}

describe('KLV (RFC 6597)', () => {
  it('a unit split over three packets comes back whole on the marker', () => {
    const ps = packetizeKlv([UNIT], 10);
    expect(ps.map((p) => p.length)).toEqual([10, 10, 7]);
    expect(push(new KlvDepacketizer(), ps, 90000, 1)).toEqual([{ timestamp: 90000, data: [UNIT] }]);
  });

  it.each<[string, (d: KlvDepacketizer) => ReturnType<KlvDepacketizer['push']>]>([
    ['a lost middle packet', (d) => push(d, [UNIT.subarray(0, 10), UNIT.subarray(20)], 0, 1).concat(d.push({ payload: UNIT, marker: true, timestamp: 0, sequenceNumber: 9 }))],
    ['a lost first packet', (d) => push(d, [UNIT.subarray(0, 10)], 0, 1).concat(push(d, [UNIT.subarray(20)], 3000, 3))],
  ])('%s: the unit is marked damaged', (_, run) => {
    const out = run(new KlvDepacketizer());
    expect(out.some((f) => f.damaged)).toBe(true);
  });

  it('a timestamp change without a marker ends the unit damaged; the next one is whole', () => {
    const d = new KlvDepacketizer();
    expect(push(d, [UNIT.subarray(0, 10)], 0, 1, false)).toEqual([]);
    const out = push(d, [UNIT], 3000, 2);
    expect(out.map((f) => [f.timestamp, !!f.damaged, f.data[0]?.length])).toEqual([[0, true, 10], [3000, false, UNIT.length]]);
  });

  it('a unit over MAX_KLV_UNIT is dropped, not buffered', () => {
    const d = new KlvDepacketizer();
    const big = new Uint8Array(64 * 1024);
    let out: ReturnType<KlvDepacketizer['push']> = [];
    for (let i = 0; i <= MAX_KLV_UNIT / big.length; i++) out = out.concat(d.push({ payload: big, marker: false, timestamp: 0, sequenceNumber: i }));
    out = out.concat(d.push({ payload: UNIT, marker: true, timestamp: 0, sequenceNumber: 99 }));
    expect(out).toHaveLength(1);
    expect(out[0]!.damaged).toBe(true);
    expect(out[0]!.data[0]!.length).toBeLessThanOrEqual(MAX_KLV_UNIT);
  });

  it('fuzz: units packetized at any MTU come back exactly, one per marker', () => {
    fuzz('KLV round trip', 6597, 300, fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 3000 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 1400 }), (units, mtu) => {
      const d = new KlvDepacketizer();
      let seq = 65530;
      const out = units.flatMap((u, k) => {
        const ps = packetizeKlv([u], mtu);
        const frames = push(d, ps, k * 1000, seq, true);
        seq = (seq + ps.length) & 0xffff;
        return frames;
      });
      expect(out.map((f) => Buffer.from(f.data[0]!).toString('hex'))).toEqual(units.map((u) => Buffer.from(u).toString('hex')));
    }));
  });
});
