// SlotRing: a fan-out worker's sends in a ring of destination slots: runs per packet, the start
// slot of each turn, wrap-around, and the bound against what the worker has not sent yet.
import { describe, expect, it } from 'vitest';
import { MAX_QUEUED } from '../../../server/rtsp/udp/batch.js';
import { SlotRing } from '../../../server/rtsp/udp/slot-ring.js';

const slot = (n: number): Uint8Array => new Uint8Array(2).fill(n);

describe('SlotRing', () => {
  it('groups consecutive sends of one packet into runs and says where each turn starts', () => {
    const r = new SlotRing(2);
    const p1 = new Uint8Array([1]);
    const p2 = new Uint8Array([2]);
    expect(r.add(p1, slot(1), 0)).toBe(true);
    r.add(p1, slot(2), 0);
    r.add(p2, slot(3), 0);
    expect(r.take()).toEqual({ packets: [p1, p2], counts: [2, 1], first: 0 });
    r.add(p2, slot(4), 0);
    expect(r.take()).toEqual({ packets: [p2], counts: [1], first: 3 });
    expect([...r.ring.subarray(0, 8)]).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
  });

  it('refuses a send that would overwrite a slot the worker has not sent, and wraps once it has', () => {
    const r = new SlotRing(2);
    const p = new Uint8Array([9]);
    let refused = 0;
    for (let i = 0; i < MAX_QUEUED - 1; i++) if (!r.add(p, slot(i & 0xff), 0)) refused++;
    expect(refused).toBe(0);
    r.take();
    expect(r.add(p, slot(7), 0)).toBe(true);
    expect(r.add(p, slot(8), 0)).toBe(false);
    expect(r.take().first).toBe(MAX_QUEUED - 1);
    // The worker finished the first 10 sends: 10 slots are free again, from the ring's start.
    for (let i = 0; i < 10; i++) expect(r.add(p, slot(100 + i), 10)).toBe(true);
    expect(r.add(p, slot(200), 10)).toBe(false);
    expect(r.take()).toEqual({ packets: [p], counts: [10], first: 0 });
    expect([...r.ring.subarray(0, 4)]).toEqual([100, 100, 101, 101]);
    expect([...r.ring.subarray((MAX_QUEUED - 1) * 2)]).toEqual([7, 7]);
  });
});
