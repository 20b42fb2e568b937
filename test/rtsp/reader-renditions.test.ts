// A live RTSP reader switched between a path and its rendition by its receiver reports, inside the server with a
// simulated clock: real Streams and session, RRs fed as the client's RTCP bytes. Two failing reports move it to the
// rendition at a key frame (its SSRC and numbering continuous), good reports bring it back, PAUSE lets go of it.
import { describe, expect, it } from 'vitest';
import { Counters } from '../../server/core/counters.js';
import { Stream } from '../../server/core/stream.js';
import type { Track } from '../../server/media/track.js';
import { writeRtpHeader } from '../../server/rtp/packet.js';
import { buildReceiverReport } from '../../server/rtp/rtcp.js';
import { ReaderQos } from '../../server/rtsp/reader-qos.js';
import type { RenditionAccess } from '../../server/rtsp/reader-renditions.js';
import { RtspSession, type ConnectionInfo } from '../../server/rtsp/session.js';
import type { UdpPortPair } from '../../server/rtsp/udp-ports.js';
import { makeConfig } from '../../server/config.js';

const tracks: Track[] = [
  { id: 0, kind: 'video', codec: 'H264', clockRate: 90000, payloadType: 96 },
  { id: 1, kind: 'audio', codec: 'AAC', clockRate: 48000, payloadType: 97 },
];
const MAIN_SSRC = 0x1111;
const LOW_SSRC = 0x7777;
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

/** `frames` video frames (a key frame every 12, one packet each) and an audio packet per frame. */
function feed(stream: Stream, ssrc: number, frames: number, pos: { seq: number; f: number }): void {
  for (let f = pos.f; f < pos.f + frames; f++) {
    const data = new Uint8Array(100);
    writeRtpHeader(data, 0, { payloadType: 96, marker: true, sequenceNumber: pos.seq & 0xffff, timestamp: 3000 * f, ssrc });
    stream.publish({ trackId: 0, data, seq: pos.seq & 0xffff, timestamp: 3000 * f, ssrc, keyStart: f % 12 === 0 });
    pos.seq++;
    const a = new Uint8Array(40);
    writeRtpHeader(a, 0, { payloadType: 97, marker: true, sequenceNumber: f & 0xffff, timestamp: 1600 * f, ssrc: ssrc + 1 });
    stream.publish({ trackId: 1, data: a, seq: f & 0xffff, timestamp: 1600 * f, ssrc: ssrc + 1, keyStart: true });
  }
  pos.f += frames;
}

function setup(config = makeConfig({ paths: { cam: { renditions: [{ name: '240p', height: 240, videoBitrate: '300k' }, { name: '480p', height: 480, videoBitrate: '1M' }] } } })) {
  const main = new Stream('cam', tracks, { gopCacheBytes: 1 << 20 });
  const low = new Stream('cam~480p', tracks, { gopCacheBytes: 1 << 20 });
  const sent: Uint8Array[] = [];
  const ports = {
    rtpDestination: (_a: string, port: number) => ({ address: '10.0.0.2', port, slot: undefined }),
    sendRtp: (data: Uint8Array, to: { port: number }) => (to.port === 5000 ? sent.push(data) : 0),
    sendRtcp: () => undefined,
  } as unknown as UdpPortPair;
  const conn = { sessions: new Set(), usedChannels: new Set(), closed: false } as unknown as ConnectionInfo;
  const s = new RtspSession('s', 'cam', { kind: 'live', stream: main }, '10.0.0.2', conn, ports);
  for (const id of [0, 1]) s.addTrack({ trackId: id, transport: { kind: 'udp', address: '10.0.0.2', rtpPort: 5000 + 2 * id, rtcpPort: 5001 + 2 * id }, controlUrl: '' });
  s.state = 'playing';
  let now = 0;
  const opened: string[] = [];
  const access: RenditionAccess = {
    renditions: (p) => config.paths[p]?.renditions ?? [],
    open: async (p) => {
      opened.push(p);
      if (p !== 'cam~480p') throw new Error(`no ${p} here`);
      return low;
    },
  };
  const counters = new Counters();
  const qos = new ReaderQos(s, config, counters, () => now, access);
  s.qos = qos;
  main.attach(s);
  const rr = (fraction: number): void => {
    now += 2000;
    const block = { ssrc: MAIN_SSRC, fractionLost: Math.round(fraction * 256), cumulativeLost: 0, highestSeq: 0, jitter: 900, lastSr: 0, delaySinceLastSr: 0 };
    s.noteRtcp(0, buildReceiverReport({ ssrc: 9, reports: [block] }));
  };
  return { main, low, s, qos, sent, rr, counters, opened };
}

const ssrcOf = (d: Uint8Array): number => new DataView(d.buffer, d.byteOffset).getUint32(8);
const seqOf = (d: Uint8Array): number => (d[2]! << 8) | d[3]!;

describe('ReaderQos with renditions', () => {
  it('two failing reports move the reader to the next lower rendition at a key frame; good reports bring it back', async () => {
    const { main, low, s, qos, sent, rr, counters, opened } = setup();
    const m = { seq: 100, f: 0 };
    const l = { seq: 40000, f: 0 };
    // The rendition runs already (another reader's): the switch takes its next key frame.
    feed(low, LOW_SSRC, 5, l);
    feed(main, MAIN_SSRC, 13, m);
    expect(qos.record()).toMatchObject({ state: 'good', rendition: 'main' });
    rr(0.5);
    await flush();
    feed(main, MAIN_SSRC, 1, m);
    // One failing report: thinned to key frames, not switched.
    expect(opened).toEqual([]);
    expect(qos.record()).toMatchObject({ state: 'failing', thinning: 'key-frames', rendition: 'main' });
    rr(0.5);
    await flush();
    // The higher-bitrate rendition first, whatever the config's order.
    expect(opened).toEqual(['cam~480p']);
    expect(low.readers.size).toBe(1);
    expect(main.readers.has(s)).toBe(false);
    // Before the rendition's key frame the reader stays on main, and gets none of its video: its link drains.
    const drained = sent.length;
    feed(low, LOW_SSRC, 7, l);
    feed(main, MAIN_SSRC, 12, m);
    await flush();
    expect(qos.record().rendition).toBe('main');
    expect(sent.length).toBe(drained);
    const before = sent.length;
    feed(low, LOW_SSRC, 12, l);
    await flush();
    expect(qos.record()).toMatchObject({ rendition: '480p', state: 'good', thinning: 'none' });
    expect(counters.value('qos_rendition_switches', { to: '480p' })).toBe(1);
    expect(main.readers.size).toBe(0);
    const after = sent.slice(before);
    // Every frame of the rendition from its key frame on, as the main path's SSRC, numbered on from the last one sent.
    // From f=12 (its key frame) to f=23: 12 video packets.
    expect(after.length).toBe(12);
    expect(after.every((d) => ssrcOf(d) === MAIN_SSRC)).toBe(true);
    for (let i = 1; i < after.length; i++) expect(seqOf(after[i]!)).toBe((seqOf(after[i - 1]!) + 1) & 0xffff);
    // The first report after the switch covers the main path's loss: not judged. Good reports for 8 s: back up.
    rr(0.5);
    expect(qos.record()).toMatchObject({ state: 'good', rendition: '480p' });
    for (let i = 0; i < 4; i++) rr(0);
    await flush();
    expect(qos.record().rendition).toBe('480p');
    rr(0);
    await flush();
    expect(main.readers.size).toBe(1);
    feed(main, MAIN_SSRC, 12, m);
    await flush();
    expect(qos.record().rendition).toBe('main');
    expect(low.readers.size).toBe(0);
    expect(counters.value('qos_rendition_switches', { to: 'main' })).toBe(1);
    expect(sent.slice(-12).every((d) => ssrcOf(d) === MAIN_SSRC)).toBe(true);
  });

  it('PAUSE (stop) lets go of the rendition; the lowest rung is as low as it goes; qos.renditions false never switches', async () => {
    const { main, low, s, qos, rr } = setup();
    const m = { seq: 1, f: 0 };
    feed(main, MAIN_SSRC, 12, m);
    rr(0.5);
    rr(0.5);
    await flush();
    // A rendition just started: its first GOP (a burst) goes by, the switch takes the next key frame.
    const l = { seq: 1, f: 0 };
    feed(low, LOW_SSRC, 12, l);
    await flush();
    expect(qos.record().rendition).toBe('main');
    feed(low, LOW_SSRC, 12, l);
    await flush();
    expect(qos.record().rendition).toBe('480p');
    qos.stop();
    expect(low.readers.size).toBe(0);
    expect(main.readers.has(s)).toBe(false);
    expect(qos.record().rendition).toBe('main');

    const off = setup(makeConfig({ qos: { renditions: false }, paths: { cam: { renditions: [{ name: '480p', height: 480, videoBitrate: '1M' }] } } }));
    feed(off.main, MAIN_SSRC, 12, { seq: 1, f: 0 });
    for (let i = 0; i < 4; i++) off.rr(0.5);
    await flush();
    feed(off.main, MAIN_SSRC, 1, { seq: 13, f: 12 });
    expect(off.opened).toEqual([]);
    expect(off.qos.record()).toMatchObject({ state: 'failing', thinning: 'key-frames', rendition: 'main' });
  });

  it('a rendition that cannot start leaves the reader on the main path', async () => {
    const config = makeConfig({ paths: { cam: { renditions: [{ name: 'broken', height: 240, videoBitrate: '300k' }] } } });
    const { main, s, qos, rr, opened } = setup(config);
    feed(main, MAIN_SSRC, 12, { seq: 1, f: 0 });
    rr(0.5);
    rr(0.5);
    await flush();
    expect(opened).toEqual(['cam~broken']);
    expect(main.readers.has(s)).toBe(true);
    expect(qos.record()).toMatchObject({ rendition: 'main', state: 'failing' });
  });
});
