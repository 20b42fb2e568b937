// PacketRing: packet bytes for the fan-out workers, copied once into a fixed shared ring: reuse of a
// recent copy, a fresh copy of an old one, contiguous copies across the end, and no overwrite of
// bytes a pending send still reads.
import { describe, expect, it } from 'vitest';
import { PacketRing } from '../../../server/rtsp/udp/packet-ring.js';

const none = (): number => Infinity;
const pkt = (n: number, len = 10): Uint8Array => new Uint8Array(len).fill(n);
const at = (r: PacketRing, pos: number, len: number): number[] => [...r.bytes.subarray(r.offset(pos), r.offset(pos) + len)];

describe('PacketRing', () => {
  it('copies a packet once and hands out the same bytes while the copy is recent', () => {
    const r = new PacketRing(100);
    const a = pkt(1);
    const b = pkt(2);
    expect(r.place(a, none)).toBe(0);
    expect(r.place(b, none)).toBe(10);
    expect(r.place(a, none)).toBe(0);
    expect(at(r, 0, 10)).toEqual([...a]);
    expect(at(r, 10, 10)).toEqual([...b]);
  });

  it('copies an old packet again instead of pinning the ring behind it', () => {
    const r = new PacketRing(100);
    const old = pkt(7);
    expect(r.place(old, none)).toBe(0);
    for (let i = 0; i < 5; i++) r.place(pkt(i), none); // written up to 60: the copy at 0 is older than half the ring
    expect(r.place(old, none)).toBe(60);
    expect(at(r, 60, 10)).toEqual([...old]);
  });

  it('starts a copy that does not fit before the end at the ring start', () => {
    const r = new PacketRing(100);
    r.place(pkt(1, 95), none);
    expect(r.place(pkt(2, 10), none)).toBe(100);
    expect(r.offset(100)).toBe(0);
    expect(at(r, 100, 10)).toEqual([...pkt(2, 10)]);
  });

  it('refuses to overwrite bytes a pending send reads, and accepts once it is done', () => {
    const r = new PacketRing(100);
    const first = r.place(pkt(1, 50), none);
    r.place(pkt(2, 50), none);
    // The next copy would overwrite the first packet's bytes (position 0..49).
    let pending = first;
    expect(r.place(pkt(3, 10), () => pending)).toBe(-1);
    pending = 50; // the first packet's sends are done; the second's are not
    const p = r.place(pkt(3, 10), () => pending);
    expect(p).toBe(100);
    expect(at(r, 50, 50)).toEqual([...pkt(2, 50)]);
  });

  it('refuses a packet larger than the ring', () => {
    expect(new PacketRing(16).place(pkt(1, 17), none)).toBe(-1);
  });

  it('grows into a new ring where every packet is copied afresh', () => {
    const r = new PacketRing(100, 400);
    const a = pkt(1);
    r.place(a, none);
    const old = r.bytes;
    const buf = r.grow();
    expect(r.size).toBe(200);
    expect(r.bytes.buffer).toBe(buf);
    expect(r.bytes).not.toBe(old);
    expect(r.place(a, none)).toBe(0);
    expect(at(r, 0, 10)).toEqual([...a]);
    r.grow();
    expect(r.canGrow).toBe(false);
  });
});
