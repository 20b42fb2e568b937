// The load client's native UDP receive path (bench/load-client/native*): the addon must build and
// load here (a build failure fails this test), and its counters must be what Reader.onRtp counts.
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tryLoad, type UdpSinkAddon } from '../../bench/load-client/native.js';
import { UdpSink, type NativePair } from '../../bench/load-client/native-sink.js';
import { UdpPairAllocator } from '../../bench/load-client/udp.js';

function rtp(seq: number, ts: number, ssrc: number, payload: number[] = [0x41, 0x9a]): Buffer {
  const b = Buffer.alloc(12 + payload.length);
  b[0] = 0x80;
  b[1] = 96;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(ts >>> 0, 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  b.set(payload, 12);
  return b;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('udp_sink addon', () => {
  let addon: UdpSinkAddon;
  let sink: UdpSink;
  let pair: NativePair;
  /** A pair counted from the start: its RTCP slot shows how far the receive loop has got. */
  let witness: NativePair;
  let sender: Socket;
  const send = (b: Buffer, port: number): Promise<void> => new Promise((res, rej) => sender.send(b, port, '127.0.0.1', (e) => (e ? rej(e) : res())));
  const waitPackets = async (n: number, s: UdpSink = sink): Promise<void> => {
    const until = Date.now() + 30_000;
    while (s.packets() < n && Date.now() < until) await sleep(5);
  };
  /**
   * Resolves once the loop has read everything sent before the call. A pass reads every socket
   * that epoll reports ready (level-triggered), so the pass that counts the first witness packet
   * also drains anything queued before it; the second witness packet, sent after that count was
   * seen, is read by a later pass, which starts only once that one has ended.
   */
  const loopCaughtUp = async (): Promise<void> => {
    for (let i = 0; i < 2; i++) {
      const before = sink.read(witness).rtcpPackets;
      await send(Buffer.from([0x81, 201, 0, 1, 1, 2, 3, 4]), witness.rtpPort + 1);
      const until = Date.now() + 30_000;
      while (sink.read(witness).rtcpPackets === before && Date.now() < until) await sleep(5);
      expect(sink.read(witness).rtcpPackets).toBe(before + 1);
    }
  };

  beforeAll(() => {
    const r = tryLoad();
    expect(r.reason).toBeUndefined();
    addon = r.addon!;
    sink = new UdpSink(addon, 8);
    pair = new UdpPairAllocator(47000 + 2 * Math.floor(Math.random() * 4000)).takeNative(sink, true);
    witness = new UdpPairAllocator(pair.rtpPort + 2).takeNative(sink, false);
    sink.enable(witness, true);
    sender = createSocket('udp4');
  }, 200_000);

  afterAll(async () => {
    sender?.close();
    await sink?.close();
  });

  it('binds with -errno on a busy port', () => {
    expect(addon.bindUdp(pair.rtpPort, 65536)).toBeLessThan(0);
  });

  it('counts like Reader.onRtp: wrap, gap, reordering, SSRCs, timestamps, key frame, RTCP', async () => {
    const A = 0x11111111;
    const port = pair.rtpPort;
    // Before counting is on: drained, not counted.
    await send(rtp(100, 0, A), port);
    await loopCaughtUp();
    expect(sink.packets()).toBe(0);

    sink.enable(pair, true);
    const before = performance.now();
    const ts0 = 0xffffff00; // the timestamp wraps too
    // 65533..1 across the 16-bit wrap, 2 missing (a gap), 5 before 4 (reordered), then 6.
    const seqs = [65533, 65534, 65535, 0, 1, 3, 5, 4, 6];
    const offs = [0, 3000, 9000, 6000, 12000, 0x100000000 - 3000, 15000, 18000, 21000]; // B-frame order; one before the first
    const sliceNonKey = [0x7c, 0x01, 0x00]; // FU-A start of a non-IDR slice
    const fuIdrStart = [0x7c, 0x85, 0x00]; // FU-A start of an IDR slice
    for (let i = 0; i < seqs.length; i++) {
      await send(rtp(seqs[i]!, ts0 + offs[i]!, A, i === 6 ? fuIdrStart : sliceNonKey), port);
      if (i === 5) await sleep(30); // the key frame arrives measurably later than the first packet
    }
    // Not RTP: version 1, and too short.
    const v1 = rtp(7, 0, A);
    v1[0] = 0x40;
    await send(v1, port);
    await send(Buffer.from([0x80, 96, 0, 8, 0, 0, 0, 0]), port);
    // Four more SSRCs: three fit the per-track bound of 4, the last is overflow.
    for (const [k, ssrc] of [0x22222222, 0x33333333, 0x44444444, 0x55555555].entries()) {
      for (let j = 0; j < 2; j++) await send(rtp(1000 * k + j, 0, ssrc), port);
    }
    await send(Buffer.from([0x81, 200, 0, 6, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), port + 1);
    await send(Buffer.from([0x81, 201, 0, 1, 1, 2, 3, 4]), port + 1);
    await waitPackets(seqs.length + 8);
    await sleep(50);
    const after = performance.now();
    sink.enable(pair, false);

    expect(sink.packets()).toBe(seqs.length + 8);
    const t = sink.read(pair);
    expect(t.ssrcs.length).toBe(4);
    expect(t.overflowPackets).toBe(2);
    expect(t.ssrcs[0]).toEqual({ ssrc: A, received: 9, firstSeq: 65533, minExt: 65533, maxExt: 65542, gaps: 4, lastExt: 65542 });
    expect(t.ssrcs[1]).toEqual({ ssrc: 0x22222222, received: 2, firstSeq: 0, minExt: 0, maxExt: 1, gaps: 0, lastExt: 1 });
    expect(t.ssrcs[3]!.ssrc).toBe(0x44444444);
    expect(t.firstTs).toBe(ts0);
    expect(t.maxTsOffset).toBe(21000);
    expect(t.rtcpPackets).toBe(2);
    // Arrival times come back on performance.now()'s clock.
    expect(t.firstAt).toBeGreaterThanOrEqual(before - 1);
    expect(t.lastAt).toBeLessThanOrEqual(after + 1);
    expect(t.keyAt - t.firstAt).toBeGreaterThanOrEqual(25);
    expect(t.keyAt).toBeLessThanOrEqual(t.lastAt);
  });

  it('stamps arrival with the kernel receive time, not when a coalesced pass gets to the packet', async () => {
    // A pass every second: once the first packet's pass has run, the next waits ~1 s in the socket.
    const slow = new UdpSink(addon, 2, 1000);
    try {
      const p = new UdpPairAllocator(witness.rtpPort + 2).takeNative(slow, false);
      slow.enable(p, true);
      await send(rtp(1, 0, 7), p.rtpPort); // wakes the loop, which then sleeps a second
      await waitPackets(1, slow);
      const sentAt = performance.now();
      await send(rtp(2, 90, 7), p.rtpPort);
      // The send's callback comes after the system call that queued the datagram (and stamped it).
      const sentBy = performance.now();
      await waitPackets(2, slow);
      const t = slow.read(p);
      expect(t.ssrcs[0]!.received).toBe(2);
      // The stamp is the send's moment, whatever the load: within the send call, not at the pass
      // that read the packet (about a second later, as the first packet's pass had just run).
      expect(t.lastAt).toBeGreaterThanOrEqual(sentAt - 1);
      expect(t.lastAt).toBeLessThanOrEqual(sentBy + 1);
    } finally {
      await slow.close();
    }
  });

  it('closes its sockets when it stops', async () => {
    await sink.close();
    const s = createSocket('udp4');
    await new Promise<void>((res, rej) => {
      s.once('error', rej);
      s.bind(pair.rtpPort, '127.0.0.1', () => res());
    });
    s.close();
  });
});
