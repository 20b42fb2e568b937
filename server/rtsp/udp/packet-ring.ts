// Packet bytes for the fan-out workers: one fixed ring of shared memory that every packet is copied
// into once, and that the workers read in place.
//
// Before, each packet got its own SharedArrayBuffer. A worker frees its references to one only in
// a garbage collection, and a worker allocates so little that V8 collects it only when the external
// memory passes its limit (tens of MB): the process kept megabytes of already-sent packets per
// worker. A ring has a fixed size, and nothing is allocated per packet.
//
// Positions are monotonic byte counts (the ring offset is position mod size), so "older than" is a
// plain comparison. Safety: writing at position w overwrites what was at w - size, which must not be
// referenced by a send the workers have not done yet; the caller passes the oldest such position.

/**
 * First ring size: 4 s of a 2 Mbit/s stream, far more than the bytes of the sends in flight. When
 * sends in flight fill it (many streams, a stalled worker), the sender posts what it has and
 * starts a ring twice the size, up to MAX_PACKET_RING_BYTES.
 */
export const FIRST_PACKET_RING_BYTES = 1024 * 1024;
export const MAX_PACKET_RING_BYTES = 32 * 1024 * 1024;

export class PacketRing {
  bytes: Uint8Array;
  /** Next write position (monotonic). */
  private w = 0;
  /** Where each packet's copy is (monotonic), while the packet lives (the GOP cache may resend it). */
  private at = new WeakMap<Uint8Array, number>();

  constructor(
    public size = FIRST_PACKET_RING_BYTES,
    readonly maxSize = MAX_PACKET_RING_BYTES,
  ) {
    this.bytes = new Uint8Array(new SharedArrayBuffer(size));
  }

  get canGrow(): boolean {
    return this.size < this.maxSize;
  }

  /**
   * A new ring of twice the size; every packet is copied again on its next send. The caller must
   * have posted every send of the old ring, and hands the workers the new memory after them.
   */
  grow(): SharedArrayBuffer {
    this.size = Math.min(this.size * 2, this.maxSize);
    this.bytes = new Uint8Array(new SharedArrayBuffer(this.size));
    this.w = 0;
    this.at = new WeakMap();
    return this.bytes.buffer as SharedArrayBuffer;
  }

  /**
   * The position of `p`'s bytes, copying them in when there is no copy or the copy is old, or -1 when
   * the ring has no room: the bytes it would overwrite are still referenced by sends from
   * `oldestPending()` on (Infinity when nothing is in flight; asked only when a copy is made).
   */
  place(p: Uint8Array, oldestPending: () => number): number {
    const have = this.at.get(p);
    // A recent copy is reused: the GOP cache's packets, resent to every newcomer, cost no copy. An
    // old one is copied again, so one resent packet never pins the ring's oldest bytes.
    if (have !== undefined && have >= this.w - this.size / 2) return have;
    if (p.length > this.size) return -1;
    let pos = this.w;
    const off = pos % this.size;
    // Copies are contiguous: one that does not fit before the end starts at the ring's start.
    if (off + p.length > this.size) pos += this.size - off;
    if (pos + p.length - this.size > oldestPending()) return -1;
    this.bytes.set(p, pos % this.size);
    this.w = pos + p.length;
    this.at.set(p, pos);
    return pos;
  }

  /** The ring offset of a position from `place`. */
  offset(pos: number): number {
    return pos % this.size;
  }
}
