// The RTP port's senders: every mode (plain dgram when the addon is missing, sendmmsg on the main
// thread, sendmmsg in 1 and 2 workers) delivers every packet, in order, from the server's RTP port.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { UdpPortPair, type UdpSendOptions } from '../../../server/rtsp/udp-ports.js';
import { loadFrom, loadUdpBatch } from '../../../server/rtsp/udp/native.js';
import { WorkerSender } from '../../../server/rtsp/udp/worker-sender.js';

const native = loadUdpBatch();
const missing = loadFrom(['./native/build/Release/no-such-addon.node']);

interface Receiver {
  sock: Socket;
  port: number;
  got: { seq: number; from: RemoteInfo; tail: number }[];
}

async function receiver(): Promise<Receiver> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  sock.setRecvBufferSize(4 * 1024 * 1024);
  const got: Receiver['got'] = [];
  sock.on('message', (m, from) => got.push({ seq: m.readUInt16BE(0), from, tail: m[m.length - 1]! }));
  return { sock, port: sock.address().port, got };
}

/** A free even port pair: the kernel picks the RTP port for a probe socket; retried on a clash. */
async function startPorts(opts: UdpSendOptions): Promise<UdpPortPair> {
  for (let i = 0; i < 20; i++) {
    const probe = createSocket('udp4');
    await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
    const p = probe.address().port & ~1;
    probe.close();
    const ports = new UdpPortPair(p, '127.0.0.1', opts);
    try {
      await ports.start();
      return ports;
    } catch {
      /* taken meanwhile: another pair */
    }
  }
  throw new Error('no free UDP port pair');
}

const open: { ports: UdpPortPair[]; socks: Socket[] } = { ports: [], socks: [] };
afterEach(() => {
  for (const p of open.ports.splice(0)) p.close();
  for (const s of open.socks.splice(0)) s.close();
});

/** A started port pair and three receivers with their destinations, all closed after the test. */
async function fanOut(opts: UdpSendOptions): Promise<{ ports: UdpPortPair; readers: Receiver[]; dests: ReturnType<UdpPortPair['rtpDestination']>[] }> {
  const ports = await startPorts(opts);
  open.ports.push(ports);
  const readers = await Promise.all([receiver(), receiver(), receiver()]);
  open.socks.push(...readers.map((r) => r.sock));
  return { ports, readers, dests: readers.map((r) => ports.rtpDestination('127.0.0.1', r.port)) };
}

/** Waits until every receiver has `count` datagrams, or `ms` passed (the assertions then say what is missing). */
async function received(readers: Receiver[], count: number, ms = 30_000, pollMs = 20): Promise<void> {
  const until = Date.now() + ms;
  while (readers.some((r) => r.got.length < count) && Date.now() < until) await new Promise((res) => setTimeout(res, pollMs));
}

const modes: { name: string; opts: UdpSendOptions; note: RegExp }[] = [
  { name: 'plain dgram (addon missing)', opts: { addon: missing }, note: /plain dgram: sendmmsg addon not built/ },
  { name: 'sendmmsg on the main thread', opts: { addon: native, workers: 0 }, note: /main thread/ },
  { name: 'sendmmsg in 1 worker', opts: { addon: native, workers: 1 }, note: /in 1 worker thread/ },
  { name: 'sendmmsg in 2 workers', opts: { addon: native, workers: 2 }, note: /in 2 worker threads/ },
];

describe('UDP RTP senders', () => {
  // npm ci builds the addon on every machine the suite runs on (g++ and Node's headers are there):
  // if it is missing here, the sendmmsg modes below fail rather than silently testing nothing.
  it('the sendmmsg addon was built by the install', () => {
    expect(native.addon, native.addon ? '' : `addon not loaded: ${native.reason}; run npm ci (or node scripts/build-native.mjs)`).toBeDefined();
  });

  it('reports a missing addon instead of failing', () => {
    expect(missing.addon).toBeUndefined();
    if (!missing.addon) expect(missing.reason).toMatch(/not built/);
  });

  for (const m of modes) {
    it(`${m.name}: every packet to every reader, in order, from the RTP port`, async () => {
      const { ports, readers, dests } = await fanOut(m.opts);
      expect(ports.senderNote).toMatch(m.note);
      const COUNT = 300;
      for (let seq = 0; seq < COUNT; seq++) {
        // One packet object for every reader, as the live fan-out does; several per turn. Each turn
        // of 50 is received before the next is sent: a few KB in flight fit any socket buffer, so
        // no datagram can be dropped on the way (loopback drops only at a full receive buffer).
        const pkt = Buffer.alloc(200);
        pkt.writeUInt16BE(seq, 0);
        for (const d of dests) ports.sendRtp(pkt, d);
        if (seq % 50 === 49) {
          await new Promise((r) => setImmediate(r));
          await received(readers, seq + 1);
        }
      }
      await received(readers, COUNT);
      for (const r of readers) {
        expect(r.got.map((g) => g.seq)).toEqual([...Array(COUNT).keys()]);
        expect(new Set(r.got.map((g) => g.from.port))).toEqual(new Set([ports.rtpPort]));
      }
      expect(ports.sendErrors).toBe(0);
    });
  }

  it('a worker grows its rings, goes round them, and every send still reaches its reader in order with its own bytes', async () => {
    // Rings started tiny (16 slots, 4 KB), so turns of a few hundred sends grow them several times
    // over, and readers that Node reads on this thread never see bursts their socket buffers drop.
    const { ports, readers, dests } = await fanOut({ addon: native, workers: 1, rings: { firstSlots: 16, firstBytes: 4096 } });
    // Turns of 120 packets of 200 bytes to 3 readers: 360 sends grow the slot ring from 16 to 512
    // slots and 24 KB of packets the packet ring from 4 KB to 32 KB; 6 000 packets go round both
    // many times. A turn is one sendmmsg call of 360 sends, or more than one when the worker is
    // behind. Each turn is waited out so nothing is dropped at a bound (a drop would show as a
    // missing seq below), and every datagram's last byte must be its own packet's.
    const COUNT = 6000;
    for (let seq = 0; seq < COUNT; seq++) {
      const pkt = Buffer.alloc(200, seq % 251);
      pkt.writeUInt16BE(seq, 0);
      for (const d of dests) ports.sendRtp(pkt, d);
      if (seq % 120 === 119) {
        await new Promise((r) => setImmediate(r));
        await received(readers, seq + 1, 30_000, 2);
      }
    }
    await received(readers, COUNT);
    for (const r of readers) {
      expect(r.got.length).toBe(COUNT);
      expect(r.got.every((g, i) => g.seq === i && g.tail === i % 251)).toBe(true);
    }
    expect(ports.sendErrors).toBe(0);
    expect(ports.sender).toBeInstanceOf(WorkerSender);
    const rings = (ports.sender as WorkerSender).rings;
    expect(rings.slots[0]).toBeGreaterThanOrEqual(512);
    expect(rings.bytes).toBeGreaterThanOrEqual(32 * 1024);
  });

  it('a turn of more sends than one sendmmsg call takes (1 024) arrives whole and in order', async () => {
    const { ports, readers, dests } = await fanOut({ addon: native, workers: 1 });
    // 3 x 360 sends in one turn: the worker's first call (1 024) ends in the middle of a packet's run of 3.
    // 360 datagrams of 40 bytes per reader fit even the kernel's default receive buffer (about 500 of them).
    const COUNT = 360;
    for (let seq = 0; seq < COUNT; seq++) {
      const pkt = Buffer.alloc(40, seq % 251);
      pkt.writeUInt16BE(seq, 0);
      for (const d of dests) ports.sendRtp(pkt, d);
    }
    await received(readers, COUNT);
    for (const r of readers) expect(r.got.every((g, i) => g.seq === i && g.tail === i % 251) && r.got.length === COUNT).toBe(true);
    expect(ports.sendErrors).toBe(0);
  });

  it('deals readers, not tracks, to the workers: a reader\'s tracks share one', async () => {
    const ports = await startPorts({ addon: native, workers: 2 });
    open.ports.push(ports);
    const readers = [{}, {}, {}, {}];
    const lanes = readers.map((r, i) => [ports.rtpDestination('127.0.0.1', 20000 + 4 * i, r).lane, ports.rtpDestination('127.0.0.1', 20002 + 4 * i, r).lane]);
    for (const [video, audio] of lanes) expect(audio).toBe(video);
    expect(lanes.map((l) => l[0])).toEqual([0, 1, 0, 1]);
  });

  it('keeps sending for its readers after one destination goes away', async () => {
    const ports = await startPorts({ addon: native, workers: 1 });
    open.ports.push(ports);
    const r = await receiver();
    open.socks.push(r.sock);
    const gone = await receiver();
    const goneDest = ports.rtpDestination('127.0.0.1', gone.port);
    gone.sock.close();
    const dest = ports.rtpDestination('127.0.0.1', r.port);
    for (let seq = 0; seq < 50; seq++) {
      const pkt = Buffer.alloc(100);
      pkt.writeUInt16BE(seq, 0);
      ports.sendRtp(pkt, goneDest);
      ports.sendRtp(pkt, dest);
      await new Promise((res) => setImmediate(res));
    }
    await received([r], 50);
    expect(r.got.map((g) => g.seq)).toEqual([...Array(50).keys()]);
  });
});
