// One fan-out worker's sends of a turn, written straight into a ring of destination slots in
// shared memory: the worker reads them in place, so a turn allocates no buffer for them.
//
// Before, each turn's slots were copied into a fresh ArrayBuffer and transferred. At 500 readers
// that is ~3 MB/s of buffers that live until the worker's next garbage collection, and the
// process's malloc heap grew by ~90 KB per reader with it.
import { MAX_QUEUED } from './batch.js';

export class SlotRing {
  /** MAX_QUEUED slots: exactly the bound on sends posted and not yet done, so live slots are never overwritten. */
  readonly ring: Uint8Array;
  packets: Uint8Array[] = [];
  counts: number[] = [];
  /** Sends added since the last `take`. */
  queued = 0;
  /** Sends handed to the worker so far (`take`); slot of send k is k mod MAX_QUEUED. */
  posted = 0;

  constructor(readonly slotSize: number) {
    this.ring = new Uint8Array(new SharedArrayBuffer(MAX_QUEUED * slotSize));
  }

  /**
   * Adds one send unless `done` (sends the worker has finished) leaves no free slot: false then,
   * and the caller counts a drop.
   */
  add(data: Uint8Array, slot: Uint8Array, done: number): boolean {
    if (this.posted + this.queued - done >= MAX_QUEUED) return false;
    this.ring.set(slot, ((this.posted + this.queued) % MAX_QUEUED) * this.slotSize);
    this.queued++;
    const last = this.packets.length - 1;
    if (last >= 0 && this.packets[last] === data) this.counts[last]!++;
    else {
      this.packets.push(data);
      this.counts.push(1);
    }
    return true;
  }

  /** The turn's runs and the ring slot they start at; the ring keeps them until the worker is done. */
  take(): { packets: Uint8Array[]; counts: number[]; first: number } {
    const out = { packets: this.packets, counts: this.counts, first: this.posted % MAX_QUEUED };
    this.posted += this.queued;
    this.packets = [];
    this.counts = [];
    this.queued = 0;
    return out;
  }
}
