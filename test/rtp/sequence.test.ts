import { describe, it, expect } from 'vitest';
import { ReceiverStats, SequenceUnwrapper, TimestampUnwrapper, seqDiff } from '../../server/rtp/sequence.js';

describe('sequence arithmetic', () => {
  it('seqDiff is the signed 16-bit difference', () => {
    const cases: [number, number, number][] = [
      [5, 3, 2], [3, 5, -2], [0, 65535, 1], [65535, 0, -1], [32767, 0, 32767], [32768, 0, -32768], [100, 100, 0],
    ];
    for (const [a, b, d] of cases) expect(seqDiff(a, b)).toBe(d);
  });

  it('SequenceUnwrapper keeps counting across wraps, both ways', () => {
    const u = new SequenceUnwrapper();
    expect([65534, 65535, 0, 1, 65535, 2].map((s) => u.unwrap(s))).toEqual([65534, 65535, 65536, 65537, 65535, 65538]);
  });

  it('TimestampUnwrapper handles the 32-bit wrap', () => {
    const u = new TimestampUnwrapper();
    expect([0xfffff000, 0xfffffc00, 0x00000800, 0xfffffc00].map((t) => u.unwrap(t))).toEqual([
      0xfffff000, 0xfffffc00, 0x100000800, 0xfffffc00,
    ]);
  });
});

describe('ReceiverStats (RFC 3550 A.1, A.3, A.8)', () => {
  it('computes jitter by J += (|D| - J) / 16 (hand-computed)', () => {
    // 8 kHz, 20 ms packets; arrivals alternate 0 and 10 ticks late, so every |D| is 10.
    const s = new ReceiverStats();
    const arrivals = [0, 170, 320, 490, 640];
    arrivals.forEach((a, i) => s.update(i, i * 160, a));
    // J1 = 10/16 = 0.625, J2 = 1.2109375, J3 = 1.76025390625, J4 = 2.275238037109375
    expect(s.jitter).toBeCloseTo(2.275238037109375, 12);
    expect(s.reportBlock(1, 0).jitter).toBe(2);
  });

  it('constant transit time means zero jitter, even across an RTP timestamp wrap', () => {
    const s = new ReceiverStats();
    for (let i = 0; i < 50; i++) s.update(i, (0xffffff00 + i * 160) >>> 0, 1e6 + i * 160);
    expect(s.jitter).toBe(0);
  });

  it('counts loss and fraction lost per interval', () => {
    const s = new ReceiverStats();
    for (let seq = 100; seq < 110; seq++) if (seq !== 103 && seq !== 104) s.update(seq, seq * 160, seq * 160);
    expect(s.expected).toBe(10);
    expect(s.received).toBe(8);
    expect(s.lost).toBe(2);
    expect(s.fractionLost).toBe(Math.floor((2 * 256) / 10)); // 51
    const b = s.reportBlock(0xabc, 0);
    expect(b).toMatchObject({ ssrc: 0xabc, fractionLost: 51, cumulativeLost: 2, highestSeq: 109 });
    // New interval: 10 more, none lost.
    for (let seq = 110; seq < 120; seq++) s.update(seq, seq * 160, seq * 160);
    expect(s.fractionLost).toBe(0);
    expect(s.lost).toBe(2);
  });

  it('extends the highest sequence number across the 16-bit wrap', () => {
    const s = new ReceiverStats();
    for (const seq of [65533, 65534, 65535, 1, 2]) s.update(seq, 0, 0);
    expect(s.extendedHighestSeq).toBe(65536 + 2);
    expect(s.expected).toBe(6);
    expect(s.lost).toBe(1);
  });

  it('duplicates make cumulative loss negative', () => {
    const s = new ReceiverStats();
    for (const seq of [1, 2, 2, 3, 3]) s.update(seq, 0, 0);
    expect(s.lost).toBe(-2);
    expect(s.reportBlock(1, 0).cumulativeLost).toBe(-2);
  });

  it('a wild jump counts only once the next packet confirms it (A.1 bad_seq)', () => {
    const s = new ReceiverStats();
    s.update(10, 0, 0);
    expect(s.update(30000, 0, 0)).toBe(false);
    expect(s.update(30001, 0, 0)).toBe(true);
    expect(s.expected).toBe(1);
    expect(s.received).toBe(1);
  });

  it('probation: a source counts after MIN_SEQUENTIAL in-order packets', () => {
    const s = new ReceiverStats({ probation: 2 });
    expect(s.update(500, 0, 0)).toBe(false);
    expect(s.update(501, 0, 0)).toBe(true);
    expect(s.expected).toBe(1);
  });

  it('report block carries LSR and DLSR in 1/65536 s', () => {
    const s = new ReceiverStats();
    s.update(1, 0, 0);
    s.onSenderReport(0x12345678, 1000);
    const b = s.reportBlock(9, 1500);
    expect(b.lastSr).toBe(0x12345678);
    expect(b.delaySinceLastSr).toBe(32768);
  });
});
