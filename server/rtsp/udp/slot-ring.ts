// One fan-out worker's sends of a turn, written straight into a ring of destination slots in
// shared memory: the worker reads them in place, so a turn allocates no buffer for them. The ring
// starts small (4096 slots, 112 KB) and doubles while sends in flight fill it, up to MAX_QUEUED.
//
// Before, each turn's slots were copied into a fresh ArrayBuffer and transferred. At 500 readers
// that is ~3 MB/s of buffers that live until the worker's next garbage collection, and the
// process's malloc heap grew by ~90 KB per reader with it.
import { MAX_QUEUED } from './batch.js';

/** Slots of a new ring: a turn of 500 readers' live packets fits, a GOP-cache burst grows it. */
export const FIRST_RING_SLOTS = 4096;

export class SlotRing {
  /**
   * `cap` slots: sends posted and not yet done never exceed it, so live slots are never overwritten.
   * A grown ring is new memory (the worker switches to it with the next turn); the old one keeps
   * the sends posted before until the worker is done with them.
   */
  ring: Uint8Array;
  cap: number;
  /** Set by `grow`: the next `take` hands the worker the new ring. */
  private fresh = false;
  packets: Uint8Array[] = [];
  counts: number[] = [];
  /** Per run, where its packet's bytes are (a PacketRing position). */
  positions: number[] = [];
  /** Smallest of `positions` (Infinity when empty): what this turn keeps referenced. */
  minPos = Infinity;
  /** Sends added since the last `take`. */
  queued = 0;
  /** Sends handed to the worker so far (`take`); the slot of send k is k mod cap (in the ring of its turn). */
  posted = 0;

  constructor(
    readonly slotSize: number,
    firstSlots = FIRST_RING_SLOTS,
    readonly maxSlots = MAX_QUEUED,
  ) {
    this.cap = Math.min(firstSlots, maxSlots);
    this.ring = new Uint8Array(new SharedArrayBuffer(this.cap * slotSize));
  }

  /** Whether one more send would pass the ring's capacity, given `done` sends finished by the worker. */
  full(done: number): boolean {
    return this.posted + this.queued - done >= this.cap;
  }

  get canGrow(): boolean {
    return this.cap < this.maxSlots;
  }

  /** Doubles the ring. Only between turns (nothing queued): the caller posts the turn first. */
  grow(): void {
    if (this.queued !== 0) throw new Error('SlotRing: grow with sends queued');
    this.cap = Math.min(this.cap * 2, this.maxSlots);
    this.ring = new Uint8Array(new SharedArrayBuffer(this.cap * this.slotSize));
    this.fresh = true;
  }

  /** Whether a send of `data` continues the last run (its bytes are placed already). */
  continues(data: Uint8Array): boolean {
    return this.packets.length > 0 && this.packets[this.packets.length - 1] === data;
  }

  /**
   * Adds one send unless `done` (sends the worker has finished) leaves no free slot: false then,
   * and the caller counts a drop. `pos` is where the packet's bytes are; it is needed only when the
   * send starts a new run (`continues` is false).
   */
  add(data: Uint8Array, slot: Uint8Array, done: number, pos = NaN): boolean {
    if (this.full(done)) return false;
    const last = this.packets.length - 1;
    if (last >= 0 && this.packets[last] === data) this.counts[last]!++;
    else {
      if (!(pos >= 0)) throw new Error('SlotRing: a new run needs the position of its packet');
      this.packets.push(data);
      this.counts.push(1);
      this.positions.push(pos);
      if (pos < this.minPos) this.minPos = pos;
    }
    this.ring.set(slot, ((this.posted + this.queued) % this.cap) * this.slotSize);
    this.queued++;
    return true;
  }

  /**
   * The turn's runs, the ring slot they start at, the send count once they are done (`end`, to
   * compare with the worker's done count), the oldest packet position they reference, and the
   * ring's memory when it is new since the last turn.
   */
  take(): { positions: number[]; lengths: number[]; counts: number[]; first: number; end: number; minPos: number; ring?: SharedArrayBuffer } {
    const out: ReturnType<SlotRing['take']> = {
      positions: this.positions,
      lengths: this.packets.map((p) => p.length),
      counts: this.counts,
      first: this.posted % this.cap,
      end: this.posted + this.queued,
      minPos: this.minPos,
    };
    if (this.fresh) {
      out.ring = this.ring.buffer as SharedArrayBuffer;
      this.fresh = false;
    }
    this.posted += this.queued;
    this.packets = [];
    this.counts = [];
    this.positions = [];
    this.minPos = Infinity;
    this.queued = 0;
    return out;
  }
}
