// UDP fan-out in worker threads: each turn's sends go to workers that run sendmmsg, so the kernel's
// per-datagram work (most of a UDP reader's cost) leaves the event loop and can use another core.
import { Worker } from 'node:worker_threads';
import type { UdpBatchAddon } from './native.js';
import { BatchSender, type UdpDestination, type UdpSender, type UdpSenderStats } from './sender.js';
import { PacketRing } from './packet-ring.js';
import { SlotRing } from './slot-ring.js';

/**
 * The worker, plain JS run with `eval` so the same code works from the sources (vitest, tsx) and
 * from dist/ without a loader. It owns a dup of the RTP socket's fd (same port), so a socket the
 * main thread closes meanwhile is never a stale fd here. A full kernel buffer is waited out for up
 * to WAIT_MS (blocking is fine off the main thread); what still does not fit is dropped and counted.
 */
const WORKER_JS = `
const { parentPort, workerData } = require('node:worker_threads');
const addon = require(workerData.addonPath);
const fd = workerData.fd;
const c = new Float64Array(workerData.counters); // sent, dropped, done, calls
let ring = new Uint8Array(workerData.ring);
let bytes = new Uint8Array(workerData.bytes);
const WAIT_MS = 200;
parentPort.on('message', (m) => {
  if (m === 'close') {
    addon.closeFd(fd);
    parentPort.close();
    return;
  }
  // A grown packet ring: the turns posted before it were sent from the old one.
  if (m.bytes) {
    bytes = new Uint8Array(m.bytes);
    return;
  }
  if (m.ring) ring = new Uint8Array(m.ring);
  let total = 0;
  for (const n of m.counts) total += n;
  const packets = m.offsets.map((o, i) => bytes.subarray(o, o + m.lengths[i]));
  const r = addon.sendRuns(fd, packets, m.counts, ring, WAIT_MS, m.first);
  c[0] += r[1];
  c[1] += r[2] + (total - r[0]);
  c[2] += total;
  c[3] += 1;
});
`;

const SENT = 0;
const DROPPED = 1;
const DONE = 2;
const CALLS = 3;

/** First sizes of the rings, which double while sends in flight fill them. */
export interface RingSizes {
  /** Destination slots per worker (FIRST_RING_SLOTS). */
  firstSlots?: number;
  /** Packet bytes (FIRST_PACKET_RING_BYTES). */
  firstBytes?: number;
}

interface Lane {
  worker: Worker;
  /** The turn's sends, in a slot ring shared with the worker; posted - done is its bounded backlog. */
  ring: SlotRing;
  /** Written by the worker only: datagrams sent, dropped, dealt with, and sendmmsg batches. */
  counters: Float64Array;
  /** Turns posted and not known done: when each is done (a done count) and the oldest packet bytes it reads. */
  inFlight: { end: number; minPos: number }[];
}

export class WorkerSender implements UdpSender {
  readonly kind = 'sendmmsg-workers';
  private readonly lanes: Lane[] = [];
  private next = 0;
  private readonly laneOf = new WeakMap<object, number>();
  private scheduled = false;
  /** Sends refused on this thread (over the bound); the workers count their own. */
  private droppedHere = 0;
  /**
   * Packet bytes in shared memory, copied once per packet (and reused while the copy is recent):
   * a joining reader's backlog, the same GOP-cache packets for every newcomer, costs no copy.
   */
  private readonly bytes: PacketRing;
  /** Set when a worker fails: from then on the main thread sends (still batched). */
  private broken: BatchSender | undefined;

  constructor(
    private readonly addon: UdpBatchAddon,
    private readonly fd: number,
    addonPath: string,
    count: number,
    private readonly fallback: BatchSender,
    private readonly onError: (e: Error) => void = () => {},
    rings: RingSizes = {},
  ) {
    this.bytes = new PacketRing(rings.firstBytes);
    for (let i = 0; i < count; i++) {
      const dup = addon.dupFd(fd);
      if (dup < 0) throw new Error('cannot dup the RTP socket for a fan-out worker');
      const counters = new Float64Array(new SharedArrayBuffer(4 * 8));
      const ring = new SlotRing(addon.slotSize, rings.firstSlots);
      const worker = new Worker(WORKER_JS, {
        eval: true,
        workerData: { addonPath, fd: dup, counters: counters.buffer, ring: ring.ring.buffer, bytes: this.bytes.bytes.buffer },
        name: `tidecast-udp-${i}`,
        // The worker allocates only the small message objects; a small young generation collects
        // them (and releases the packets they reference) often instead of letting them pile up.
        resourceLimits: { maxYoungGenerationSizeMb: 4 },
      });
      // The server's lifetime is the sockets', not the workers': they never keep the process up.
      worker.unref();
      worker.on('error', (e) => this.fail(e));
      this.lanes.push({ worker, ring, counters, inFlight: [] });
    }
  }

  get stats(): UdpSenderStats {
    const s = { sent: 0, dropped: this.droppedHere, calls: 0 };
    for (const l of this.lanes) {
      s.sent += l.counters[SENT]!;
      s.dropped += l.counters[DROPPED]!;
      s.calls += l.counters[CALLS]!;
    }
    const f = this.fallback.stats;
    return { sent: s.sent + f.sent, dropped: s.dropped + f.dropped, calls: s.calls + f.calls };
  }

  /** Current ring sizes: destination slots per worker, packet bytes (they grow with the sends in flight). */
  get rings(): { slots: number[]; bytes: number } {
    return { slots: this.lanes.map((l) => l.ring.cap), bytes: this.bytes.size };
  }

  /**
   * Readers are dealt to the workers in turn, with all of a reader's tracks (its `group`) on one
   * worker: dealt per destination, every video track landed on one worker and every audio track on
   * the other, so one worker had ~87 % of the datagrams (perf: one thread at ~61 % of a core, the
   * other at ~35 %).
   */
  destination(address: string, port: number, group?: object): UdpDestination {
    let lane = group ? this.laneOf.get(group) : undefined;
    if (lane === undefined) {
      lane = this.next;
      this.next = (this.next + 1) % this.lanes.length;
      if (group) this.laneOf.set(group, lane);
    }
    return { address, port, slot: this.addon.packAddress(address, port), lane };
  }

  send(data: Uint8Array, to: UdpDestination): void {
    const l = to.lane === undefined ? undefined : this.lanes[to.lane];
    if (this.broken || !to.slot || !l) return this.fallback.send(data, to);
    if (!this.add(l, data, to.slot)) {
      // The slot ring is full of sends in flight: post this turn, double the ring, try once more.
      if (!l.ring.canGrow || !l.ring.full(l.counters[DONE]!)) return void this.droppedHere++;
      this.flushLane(l);
      l.ring.grow();
      if (!this.add(l, data, to.slot)) return void this.droppedHere++;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /** Queues one send on a lane, placing the packet's bytes when it starts a run; false if there is no room. */
  private add(l: Lane, data: Uint8Array, slot: Uint8Array): boolean {
    let pos = NaN;
    if (!l.ring.continues(data)) {
      pos = this.bytes.place(data, this.oldestPending);
      if (pos === -1 && this.bytes.canGrow) {
        this.growBytes();
        pos = this.bytes.place(data, this.oldestPending);
      }
      if (pos === -1) return false;
    }
    return l.ring.add(data, slot, l.counters[DONE]!, pos);
  }

  /** Posts each worker its share of the turn: where its packets' bytes are, and where its slots start. */
  readonly flush = (): void => {
    this.scheduled = false;
    for (const l of this.lanes) this.flushLane(l);
  };

  private flushLane(l: Lane): void {
    if (l.ring.queued === 0) return;
    const { positions, lengths, counts, first, end, minPos, ring } = l.ring.take();
    l.inFlight.push({ end, minPos });
    l.worker.postMessage({ offsets: positions.map((p) => this.bytes.offset(p)), lengths, counts, first, ring });
  }

  /**
   * Sends in flight fill the packet ring: post every turn (they read the old ring), then hand every
   * worker the new one. The old ring is nobody's to overwrite any more, so nothing pends on it.
   */
  private growBytes(): void {
    this.flush();
    const bytes = this.bytes.grow();
    for (const l of this.lanes) {
      l.worker.postMessage({ bytes });
      l.inFlight = [];
    }
  }

  /** The oldest packet position a send not yet done reads (Infinity: none). */
  private readonly oldestPending = (): number => {
    let min = Infinity;
    for (const l of this.lanes) {
      const done = l.counters[DONE]!;
      while (l.inFlight.length > 0 && l.inFlight[0]!.end <= done) l.inFlight.shift();
      for (const t of l.inFlight) if (t.minPos < min) min = t.minPos;
      if (l.ring.minPos < min) min = l.ring.minPos;
    }
    return min;
  };

  close(): void {
    this.flush();
    // Each worker closes its fd after the sends already posted to it.
    for (const l of this.lanes) l.worker.postMessage('close');
    this.fallback.close();
  }

  private fail(e: Error): void {
    if (this.broken) return;
    this.broken = this.fallback;
    this.onError(e);
  }
}
