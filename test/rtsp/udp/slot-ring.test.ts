// SlotRing: a fan-out worker's sends in a ring of destination slots: runs per packet with where
// their bytes are, the start slot of each turn, wrap-around, and the bound against what the worker
// has not sent yet.
import { describe, expect, it } from 'vitest';
import { MAX_QUEUED } from '../../../server/rtsp/udp/batch.js';
import { SlotRing } from '../../../server/rtsp/udp/slot-ring.js';

const slot = (n: number): Uint8Array => new Uint8Array(2).fill(n);

describe('SlotRing', () => {
  it('groups consecutive sends of one packet into runs and says where each turn starts', () => {
    const r = new SlotRing(2);
    const p1 = new Uint8Array([1]);
    const p2 = new Uint8Array([2, 2]);
    expect(r.continues(p1)).toBe(false);
    expect(r.add(p1, slot(1), 0, 100)).toBe(true);
    expect(r.continues(p1)).toBe(true);
    r.add(p1, slot(2), 0);
    r.add(p2, slot(3), 0, 40);
    expect(r.take()).toEqual({ positions: [100, 40], lengths: [1, 2], counts: [2, 1], first: 0, end: 3, minPos: 40 });
    r.add(p2, slot(4), 0, 200);
    expect(r.take()).toEqual({ positions: [200], lengths: [2], counts: [1], first: 3, end: 4, minPos: 200 });
    expect(r.minPos).toBe(Infinity);
    expect([...r.ring.subarray(0, 8)]).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
  });

  it('a new run without the position of its bytes is a bug, not a silent send of garbage', () => {
    const r = new SlotRing(2);
    expect(() => r.add(new Uint8Array([1]), slot(1), 0)).toThrow(/position/);
  });

  it('refuses a send that would overwrite a slot the worker has not sent, and wraps once it has', () => {
    const r = new SlotRing(2, MAX_QUEUED);
    expect(r.canGrow).toBe(false);
    const p = new Uint8Array([9]);
    let refused = 0;
    for (let i = 0; i < MAX_QUEUED - 1; i++) if (!r.add(p, slot(i & 0xff), 0, 0)) refused++;
    expect(refused).toBe(0);
    r.take();
    expect(r.add(p, slot(7), 0, 0)).toBe(true);
    expect(r.add(p, slot(8), 0)).toBe(false);
    expect(r.take().first).toBe(MAX_QUEUED - 1);
    // The worker finished the first 10 sends: 10 slots are free again, from the ring's start.
    for (let i = 0; i < 10; i++) expect(r.add(p, slot(100 + i), 10, 5)).toBe(true);
    expect(r.add(p, slot(200), 10)).toBe(false);
    expect(r.take()).toMatchObject({ counts: [10], first: 0, end: MAX_QUEUED + 10 });
    expect([...r.ring.subarray(0, 4)]).toEqual([100, 100, 101, 101]);
    expect([...r.ring.subarray((MAX_QUEUED - 1) * 2)]).toEqual([7, 7]);
  });

  it('grows between turns into new memory, handed to the worker with the next turn', () => {
    const r = new SlotRing(2, 4, 16);
    const p = new Uint8Array([1]);
    for (let i = 0; i < 4; i++) r.add(p, slot(i), 0, 0);
    expect(r.full(0)).toBe(true);
    expect(() => r.grow()).toThrow(/queued/);
    const t1 = r.take();
    expect(t1.ring).toBeUndefined();
    const old = r.ring;
    r.grow();
    expect(r.cap).toBe(8);
    expect(r.ring).not.toBe(old);
    // 4 sends still in flight (done 0) count against the new ring too: 4 more fit.
    for (let i = 0; i < 4; i++) expect(r.add(p, slot(10 + i), 0, 0)).toBe(true);
    expect(r.add(p, slot(99), 0)).toBe(false);
    const t2 = r.take();
    expect(t2.first).toBe(4);
    expect(t2.ring).toBe(r.ring.buffer);
    expect([...r.ring.subarray(8, 16)]).toEqual([10, 10, 11, 11, 12, 12, 13, 13]);
    expect(r.take().ring).toBeUndefined();
    r.grow();
    r.grow();
    expect(r.cap).toBe(16);
    expect(r.canGrow).toBe(false);
  });
});
