// A live RTSP reader's QoS end to end inside the server: a real Stream and session, receiver reports fed as the
// client's RTCP bytes, a simulated clock. Thinning starts and stops with the reports, the clean reader keeps the
// shared buffers, the round-trip time comes from LSR/DLSR, and SRs to a thinned reader count only what it got.
import { describe, expect, it } from 'vitest';
import { Counters } from '../../server/core/counters.js';
import type { OutPacket } from '../../server/core/out-packet.js';
import { Stream } from '../../server/core/stream.js';
import type { Track } from '../../server/media/track.js';
import { writeRtpHeader } from '../../server/rtp/packet.js';
import { buildReceiverReport, buildSenderReport, parseRtcpCompound } from '../../server/rtp/rtcp.js';
import { ReaderQos } from '../../server/rtsp/reader-qos.js';
import { RtspSession, type ConnectionInfo } from '../../server/rtsp/session.js';
import type { UdpPortPair } from '../../server/rtsp/udp-ports.js';
import { makeConfig } from '../../server/config.js';

const tracks: Track[] = [
  { id: 0, kind: 'video', codec: 'H264', clockRate: 90000, payloadType: 96 },
  { id: 1, kind: 'audio', codec: 'AAC', clockRate: 48000, payloadType: 97 },
];
const SSRC = [0x1111, 0x2222];

function reader(stream: Stream, config = makeConfig({})) {
  const sent: { track: number; data: Uint8Array }[] = [];
  const rtcp: Uint8Array[] = [];
  const ports = {
    rtpDestination: (_a: string, port: number) => ({ address: '10.0.0.2', port, slot: undefined }),
    sendRtp: (data: Uint8Array, to: { port: number }) => sent.push({ track: to.port === 5000 ? 0 : 1, data }),
    sendRtcp: (data: Uint8Array) => rtcp.push(data),
  } as unknown as UdpPortPair;
  const conn = { sessions: new Set(), usedChannels: new Set(), closed: false } as unknown as ConnectionInfo;
  const s = new RtspSession('s', 'live', { kind: 'live', stream }, '10.0.0.2', conn, ports);
  for (const id of [0, 1]) s.addTrack({ trackId: id, transport: { kind: 'udp', address: '10.0.0.2', rtpPort: 5000 + 2 * id, rtcpPort: 5001 + 2 * id }, controlUrl: '' });
  let now = 0;
  const counters = new Counters();
  const qos = new ReaderQos(s, config, counters, () => now);
  s.qos = qos;
  stream.attach(s);
  const rr = (fraction: number, lastSr = 0, dlsr = 0): void => {
    now += 2000;
    const block = (t: number) => ({ ssrc: SSRC[t]!, fractionLost: Math.round(fraction * 256), cumulativeLost: 0, highestSeq: 0, jitter: 900, lastSr, delaySinceLastSr: dlsr });
    s.noteRtcp(0, buildReceiverReport({ ssrc: 9, reports: [block(0)] }));
  };
  return { s, qos, sent, rtcp, rr, counters, tick: (ms: number) => (now += ms) };
}

/** Every video buffer the stream published, to tell shared buffers from copies. */
const published = new Set<Uint8Array>();

/** GOPs of I b b P b b P..., two packets per frame, and an audio packet per frame. */
function feed(stream: Stream, frames: number, start: { seq: number; f: number }): void {
  for (let f = start.f; f < start.f + frames; f++) {
    const kind = f % 12 === 0 ? 'I' : f % 3 === 0 ? 'P' : 'b';
    for (let i = 0; i < 2; i++) {
      const data = new Uint8Array(112);
      writeRtpHeader(data, 0, { payloadType: 96, marker: i === 1, sequenceNumber: start.seq & 0xffff, timestamp: 3000 * f, ssrc: SSRC[0]! });
      const p: OutPacket = { trackId: 0, data, seq: start.seq & 0xffff, timestamp: 3000 * f, ssrc: SSRC[0]!, keyStart: kind === 'I' && i === 0, ...(kind === 'b' ? { droppable: true } : {}) };
      start.seq++;
      published.add(data);
      stream.publish(p);
    }
    const a = new Uint8Array(40);
    writeRtpHeader(a, 0, { payloadType: 97, marker: true, sequenceNumber: f & 0xffff, timestamp: 1600 * f, ssrc: SSRC[1]! });
    stream.publish({ trackId: 1, data: a, seq: f & 0xffff, timestamp: 1600 * f, ssrc: SSRC[1]!, keyStart: true });
  }
  start.f += frames;
}

describe('ReaderQos on a live session', () => {
  it('thins on a lossy report, spares a clean reader, renumbers, corrects SRs, and steps back up on clean reports', () => {
    const stream = new Stream('live', tracks, { gopCacheBytes: 1 << 20 });
    const lossy = reader(stream);
    const clean = reader(stream);
    const pos = { seq: 65000, f: 0 };
    feed(stream, 12, pos);
    lossy.rr(0.05);
    clean.rr(0);
    expect(lossy.s.thin).toBeDefined();
    expect(clean.s.thin).toBeUndefined();
    feed(stream, 24, pos);
    // The level in force changes at the next frame boundary.
    expect(lossy.qos.record()).toMatchObject({ state: 'congested', thinning: 'non-reference' });
    const video = (r: ReturnType<typeof reader>) => r.sent.filter((x) => x.track === 0).map((x) => x.data);
    // The clean reader got the stream's very buffers; the lossy one fewer, renumbered without gaps.
    expect(video(clean).length).toBe(72);
    expect(video(clean).every((d) => published.has(d))).toBe(true);
    // Once something was withheld, the lossy reader's packets are its own renumbered copies.
    expect(video(lossy).slice(-10).some((d) => published.has(d))).toBe(false);
    const mine = video(lossy).slice(24);
    expect(mine.length).toBe(24 * 2 - 16 * 2);
    const seq = (d: Uint8Array) => (d[2]! << 8) | d[3]!;
    for (let i = 1; i < mine.length; i++) expect(seq(mine[i]!)).toBe((seq(mine[i - 1]!) + 1) & 0xffff);
    expect(lossy.s.trackPackets[1]).toBe(clean.s.trackPackets[1]);
    // An SR forwarded to both: the thinned reader's counts leave out its 32 withheld packets.
    const sr = buildSenderReport({ ssrc: SSRC[0]!, ntpSeconds: 100, ntpFraction: 0x8000_0000, rtpTimestamp: 0, packetCount: 5000, octetCount: 500_000 });
    stream.publishRtcp(0, sr, true);
    const got = (r: ReturnType<typeof reader>) => parseRtcpCompound(r.rtcp.at(-1)!)[0] as { packetCount: number; octetCount: number };
    expect(got(clean).packetCount).toBe(5000);
    expect(got(lossy).packetCount).toBe(5000 - 32);
    expect(got(lossy).octetCount).toBe(500_000 - 32 * 100);
    // RTT: the report names that SR (middle 32 bits of its NTP time) 150 ms after it went, having held it 100 ms.
    lossy.tick(150 - 2000);
    lossy.rr(0.2, ((100 & 0xffff) << 16) | 0x8000, 6554);
    feed(stream, 12, pos);
    expect(lossy.qos.record()).toMatchObject({ state: 'failing', thinning: 'key-frames' });
    expect(lossy.qos.record().rttMs).toBeCloseTo(50, 0);
    // Clean reports: one level up after three (2 s apart, past the 4 s hold), the next after three more.
    for (let i = 0; i < 3; i++) lossy.rr(0);
    expect(lossy.qos.record().state).toBe('congested');
    for (let i = 0; i < 3; i++) lossy.rr(0);
    feed(stream, 12, pos);
    expect(lossy.qos.record()).toMatchObject({ state: 'good', thinning: 'none' });
    expect(lossy.counters.value('qos_thinning_transitions', { to: 'none' })).toBe(1);
    expect(clean.qos.record()).toMatchObject({ state: 'good', thinning: 'none', thinnedFrames: 0 });
  });

  it('a path with qos.thinning false is judged but never thinned', () => {
    const stream = new Stream('live', tracks, { gopCacheBytes: 1 << 20 });
    const r = reader(stream, makeConfig({ paths: { live: { qos: { thinning: false } } } }));
    feed(stream, 12, { seq: 1, f: 0 });
    r.rr(0.5);
    expect(r.qos.record()).toMatchObject({ state: 'failing', thinning: 'off' });
    expect(r.s.thin).toBeUndefined();
  });

  it('a reload applies at the next report: the running config object gets the new keys, as reload/apply.ts sets them', () => {
    const stream = new Stream('live', tracks, { gopCacheBytes: 1 << 20 });
    const config = makeConfig({ paths: { live: { qos: { thinning: false } } } });
    const r = reader(stream, config);
    const pos = { seq: 1, f: 0 };
    feed(stream, 12, pos);
    r.rr(0.05);
    expect(r.qos.record()).toMatchObject({ state: 'congested', thinning: 'off' });
    const next = makeConfig({ qos: { lossCongested: 0.01, lossFailing: 0.04 } });
    Object.assign(config, { qos: next.qos, paths: next.paths });
    r.rr(0.05);
    feed(stream, 12, pos);
    expect(r.qos.record()).toMatchObject({ state: 'failing', thinning: 'key-frames' });
  });
});
