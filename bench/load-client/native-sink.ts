// The native UDP receive path of the load client: sockets bound by the udp_sink addon, received by
// its recvmmsg loop in one worker thread, counted per socket ("slot") in shared memory. A reader
// (reader.ts) takes two slots per track and reads its counters back once it stops.
import { Worker } from 'node:worker_threads';
import { ADDON_PATH, type UdpSinkAddon } from './native.js';
import type { SsrcStat } from './types.js';

/** As dgram's setRecvBufferSize in udp.ts: a few hundred ms of a reader's packets (capped by rmem_max). */
export const RCVBUF_BYTES = 512 * 1024;
/**
 * The receive loop lets datagrams queue this long between passes (udp_sink.c): fewer wake-ups and
 * system calls per datagram; arrival times are the kernel's, so they do not move. Env override to compare.
 */
const COALESCE_MS = Number(process.env.BENCH_UDP_SINK_COALESCE_MS ?? 10);
const KIND_RTP = 1;
const KIND_RTP_H264 = 2;
const KIND_RTCP = 3;

export interface NativeTrack {
  /** What Reader.onRtp counts, per SSRC in arrival order: the first is the track's first SSRC. */
  ssrcs: SsrcStat[];
  /** Packets of SSRCs beyond the addon's bound per track (layout.maxSsrc): received, not in ssrcs. */
  overflowPackets: number;
  firstTs: number;
  maxTsOffset: number;
  firstAt: number;
  lastAt: number;
  /** First packet that starts an H.264 key frame (H.264 slots only). */
  keyAt: number;
  rtcpPackets: number;
}

export interface NativePair {
  rtpPort: number;
  rtp: number;
  rtcp: number;
}

const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export class UdpSink {
  private readonly ctl: Int32Array;
  private readonly f: Float64Array;
  private readonly epfd: number;
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private readonly capacity: number;
  private next = 0;
  /** The addon stamps CLOCK_MONOTONIC ms; performance.now() is the same clock minus this. */
  private readonly offsetMs: number;

  constructor(
    private readonly addon: UdpSinkAddon,
    capacity: number,
    coalesceMs = COALESCE_MS,
  ) {
    const L = addon.layout;
    this.capacity = capacity;
    this.ctl = new Int32Array(new SharedArrayBuffer(4 * (L.ctlHeader + capacity * L.ctlStride)));
    this.f = new Float64Array(new SharedArrayBuffer(8 * (L.fHeader + capacity * L.fStride)));
    for (let i = 0; i < capacity; i++) this.ctl[L.ctlHeader + i * L.ctlStride] = -1;
    const a = performance.now();
    const m = monoMs();
    this.offsetMs = m - (a + performance.now()) / 2;
    this.epfd = addon.epollCreate();
    if (this.epfd < 0) throw new Error(`epoll_create1: errno ${-this.epfd}`);
    const code = "const { workerData: w } = require('node:worker_threads'); require(w.path).receiveLoop(w.epfd, w.ctl, w.f, w.coalesceMs);";
    this.worker = new Worker(code, { eval: true, execArgv: [], workerData: { path: ADDON_PATH, epfd: this.epfd, ctl: this.ctl, f: this.f, coalesceMs } });
    this.exited = new Promise((resolve) => {
      this.worker.once('error', (e) => process.stderr.write(`load-client: native UDP receive worker: ${e.message}\n`));
      this.worker.once('exit', () => resolve());
    });
  }

  /** RTP packets counted so far by every slot (the steady window's packet rate). */
  packets(): number {
    return this.f[0]!;
  }

  /** Binds port and port + 1 (RTP, RTCP) and adds them to the loop, or undefined when either is taken. */
  bindPair(port: number, h264: boolean): NativePair | undefined {
    const rtpFd = this.addon.bindUdp(port, RCVBUF_BYTES);
    if (rtpFd < 0) return undefined;
    const rtcpFd = this.addon.bindUdp(port + 1, RCVBUF_BYTES);
    if (rtcpFd < 0) {
      this.addon.closeFd(rtpFd);
      return undefined;
    }
    return { rtpPort: port, rtp: this.addSlot(rtpFd, h264 ? KIND_RTP_H264 : KIND_RTP), rtcp: this.addSlot(rtcpFd, KIND_RTCP) };
  }

  private addSlot(fd: number, kind: number): number {
    const L = this.addon.layout;
    if (this.next >= this.capacity) {
      this.addon.closeFd(fd);
      throw new Error(`native UDP receive: more than ${this.capacity} sockets`);
    }
    const slot = this.next++;
    const c = L.ctlHeader + slot * L.ctlStride;
    this.ctl[c] = fd;
    this.ctl[c + 2] = kind;
    const r = this.addon.epollAdd(this.epfd, fd, slot);
    if (r < 0) throw new Error(`epoll_ctl: errno ${-r}`);
    return slot;
  }

  /** Counting on or off for a pair (the reader's `counting`): off, datagrams are drained uncounted. */
  enable(p: NativePair, on: boolean): void {
    const L = this.addon.layout;
    for (const slot of [p.rtp, p.rtcp]) Atomics.store(this.ctl, L.ctlHeader + slot * L.ctlStride + 1, on ? 1 : 0);
  }

  /** A pair's counters, as Reader.onRtp would have them. */
  read(p: NativePair): NativeTrack {
    const L = this.addon.layout;
    const s = L.fHeader + p.rtp * L.fStride;
    const f = this.f;
    const at = (v: number): number => (v > 0 ? v - this.offsetMs : 0);
    const ssrcs: SsrcStat[] = [];
    for (let i = 0; i < f[s + 2]!; i++) {
      const e = s + L.ssrc0 + i * L.ssrcSize;
      ssrcs.push({ ssrc: f[e]!, received: f[e + 1]!, firstSeq: f[e + 2]!, minExt: f[e + 3]!, maxExt: f[e + 4]!, gaps: f[e + 5]!, lastExt: f[e + 6]! });
    }
    return {
      ssrcs,
      overflowPackets: f[s + 3]!,
      firstTs: f[s + 4]!,
      maxTsOffset: f[s + 5]!,
      firstAt: at(f[s + 6]!),
      lastAt: at(f[s + 7]!),
      keyAt: at(f[s + 8]!),
      rtcpPackets: f[L.fHeader + p.rtcp * L.fStride + 1]!,
    };
  }

  /** Stops the loop; it closes every socket it was given. */
  async close(): Promise<void> {
    Atomics.store(this.ctl, 0, 1);
    await this.exited;
  }
}
