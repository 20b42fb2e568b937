// One turn's UDP sends as runs (a packet, then the destination slots it goes to), in send order.

/** Bound in datagrams of what may wait to be sent: past it a send is dropped and counted. */
export const MAX_QUEUED = 65_536;
const FIRST_SLOTS = 1024;

/**
 * A live packet to N readers is one run: the packet once, N slots of 28 bytes. The packet bytes
 * are never copied here, so every packet stays serialized once however many readers get it.
 */
export class SendBatch {
  packets: Uint8Array[] = [];
  counts: number[] = [];
  slots: Uint8Array;
  queued = 0;

  constructor(readonly slotSize: number) {
    this.slots = new Uint8Array(FIRST_SLOTS * slotSize);
  }

  /** Adds one send; false when the batch is at its bound (the caller counts a drop). */
  add(data: Uint8Array, slot: Uint8Array): boolean {
    if (this.queued === MAX_QUEUED) return false;
    if ((this.queued + 1) * this.slotSize > this.slots.length) this.grow();
    this.slots.set(slot, this.queued * this.slotSize);
    this.queued++;
    const last = this.packets.length - 1;
    if (last >= 0 && this.packets[last] === data) this.counts[last]!++;
    else {
      this.packets.push(data);
      this.counts.push(1);
    }
    return true;
  }

  clear(): void {
    this.packets = [];
    this.counts = [];
    this.queued = 0;
  }

  /** Forgets the first `done` sends, keeping the rest in order. */
  keepFrom(done: number): void {
    if (done >= this.queued) return this.clear();
    let k = 0;
    let skip = done;
    while (skip >= this.counts[k]!) skip -= this.counts[k++]!;
    this.packets = this.packets.slice(k);
    this.counts = this.counts.slice(k);
    this.counts[0]! -= skip;
    this.slots.copyWithin(0, done * this.slotSize, this.queued * this.slotSize);
    this.queued -= done;
  }

  private grow(): void {
    const bigger = new Uint8Array(Math.min(MAX_QUEUED * this.slotSize, this.slots.length * 2));
    bigger.set(this.slots.subarray(0, this.queued * this.slotSize));
    this.slots = bigger;
  }
}
