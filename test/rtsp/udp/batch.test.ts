// SendBatch: one run per packet in send order, trimmed in order after a partial send, bounded.
import { describe, expect, it } from 'vitest';
import { MAX_QUEUED, SendBatch } from '../../../server/rtsp/udp/batch.js';

const slot = (n: number): Uint8Array => new Uint8Array(4).fill(n);

describe('SendBatch', () => {
  it('groups consecutive sends of one packet into one run and keeps slots in send order', () => {
    const b = new SendBatch(4);
    const p1 = new Uint8Array([1]);
    const p2 = new Uint8Array([2]);
    b.add(p1, slot(1));
    b.add(p1, slot(2));
    b.add(p2, slot(1));
    b.add(p1, slot(3));
    expect(b.packets).toEqual([p1, p2, p1]);
    expect(b.counts).toEqual([2, 1, 1]);
    expect([...b.slots.subarray(0, 16)]).toEqual([...slot(1), ...slot(2), ...slot(1), ...slot(3)]);
  });

  it('keeps what a blocked send left, in order, from the middle of a run', () => {
    const b = new SendBatch(4);
    const p1 = new Uint8Array([1]);
    const p2 = new Uint8Array([2]);
    for (let i = 0; i < 3; i++) b.add(p1, slot(10 + i));
    for (let i = 0; i < 2; i++) b.add(p2, slot(20 + i));
    b.keepFrom(2);
    expect(b.queued).toBe(3);
    expect(b.packets).toEqual([p1, p2]);
    expect(b.counts).toEqual([1, 2]);
    expect([...b.slots.subarray(0, 12)]).toEqual([...slot(12), ...slot(20), ...slot(21)]);
    b.keepFrom(1);
    expect(b.packets).toEqual([p2]);
    expect(b.counts).toEqual([2]);
    b.keepFrom(2);
    expect(b.queued).toBe(0);
    expect(b.packets).toEqual([]);
  });

  it('grows its slots up to the bound and refuses past it', () => {
    const b = new SendBatch(1);
    const p = new Uint8Array([1]);
    let refused = 0;
    for (let i = 0; i < MAX_QUEUED + 5; i++) if (!b.add(p, slot(1).subarray(0, 1))) refused++;
    expect(b.queued).toBe(MAX_QUEUED);
    expect(refused).toBe(5);
    expect(b.slots.length).toBe(MAX_QUEUED);
  });
});
