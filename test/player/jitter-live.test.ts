// The player's jitter buffer and SR clock on real RTSP-over-WebSocket traffic from Tidecast, through the jitter relay: target grows, then comes back down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { parseRtpPacket } from '../../server/rtp/packet.js';
import { parseRtcpCompound } from '../../server/rtp/rtcp.js';
import { JitterBuffer, type JitterStats, type RtpPacketIn } from '../../player/src/jitter-buffer.js';
import { RtpClock } from '../../player/src/rtp-clock.js';
import { startJitterRelay, type JitterRelay } from '../helpers/jitter-relay.js';
import { bodyText, sleep } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsRtspClient } from '../helpers/ws-rtsp-client.js';

let srv: TestServer;
let relay: JitterRelay;

beforeAll(async () => {
  srv = await startTestServer();
  relay = await startJitterRelay({ upstream: `ws://127.0.0.1:${srv.httpPort}/rtsp`, maxDelayMs: 150, reorderWindow: 8, seed: 3 });
});
afterAll(async () => {
  await relay?.close();
  await srv?.close();
});

const JITTER_MS = 8000;
const CLEAN_MS = 10_000;

describe('jitter buffer on live traffic through the jitter relay', () => {
  it('plays every packet in order without a stall; the target grows under jitter and comes back down after', async () => {
    relay.setJitter(true); // a retry starts with jitter again
    const c = await WsRtspClient.open(relay.url('/rtsp'), ['rtsp']);
    const base = `${srv.url('sample.mp4')}/`;
    const s0 = await c.request('SETUP', `${base}trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    expect(s0.status, bodyText(s0)).toBe(200);
    const id = parseSession(s0.headers.get('Session')!).id;
    const s1 = await c.request('SETUP', `${base}trackID=1`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=2-3', Session: id });
    expect(s1.status, bodyText(s1)).toBe(200);
    const play = await c.request('PLAY', base, { Session: id });
    expect(play.status, bodyText(play)).toBe(200);
    const t0 = performance.now();
    await sleep(JITTER_MS);
    relay.setJitter(false);
    const tOff = performance.now();
    await sleep(CLEAN_MS);
    await c.request('TEARDOWN', base, { Session: id });
    c.close();
    expect(c.badMessages).toEqual([]);
    const rs = relay.stats();
    expect(rs.reordered).toBeGreaterThan(50);

    // Replay what arrived, at the times it arrived, into the player's modules (a 5 ms poll).
    const tracks = [
      { channel: 0, clockRate: 90_000, name: 'video' },
      { channel: 2, clockRate: 48_000, name: 'audio' },
    ].map((t) => ({ ...t, jb: new JitterBuffer({ clockRate: t.clockRate, now: () => 0 }), clock: new RtpClock(t.clockRate), releases: [] as number[], order: [] as number[], e2e: [] as number[] }));
    const samples: { t: number; stats: JitterStats[] }[] = [];
    let k = 0;
    const frames = c.frames;
    const end = frames.at(-1)!.at + 1500;
    for (let t = t0; t <= end; t += 5) {
      for (; k < frames.length && frames[k]!.at <= t; k++) {
        const f = frames[k]!;
        const tr = tracks.find((x) => x.channel === (f.channel & ~1));
        if (!tr) continue;
        if (f.channel & 1) {
          for (const p of parseRtcpCompound(f.data)) if (p.type === 'sr') tr.clock.onSenderReport(p);
          continue;
        }
        const p = parseRtpPacket(f.data);
        const pkt: RtpPacketIn = { seq: p.sequenceNumber, timestamp: p.timestamp, marker: p.marker, payload: p.payload, arrivalMs: f.at };
        tr.jb.push(pkt);
        const wall = tr.clock.wallclockMs(p.timestamp);
        // Sender wallclock vs receiver clock at arrival: one clock on loopback (see av-sync.ts).
        if (wall !== undefined) tr.e2e.push(performance.timeOrigin + f.at - wall);
      }
      for (const tr of tracks) {
        for (const r of tr.jb.pop(t)) {
          tr.releases.push(t);
          tr.order.push(r.packet.seq);
        }
      }
      samples.push({ t, stats: tracks.map((tr) => tr.jb.stats(t)) });
    }
    const at = (t: number) => samples.find((s) => s.t >= t)!;
    for (const [i, tr] of tracks.entries()) {
      const during = at(tOff - 50).stats[i]!;
      const after = samples.at(-1)!.stats[i]!;
      const st = tr.jb.stats(end);
      const msg = `${tr.name}: ${JSON.stringify({ during, after })}`;
      // TCP loses nothing; what is given up is given up while the delay grows at the start.
      expect(st.held, msg).toBe(0);
      expect(st.released, msg).toBe(st.packets - st.duplicates - st.late);
      expect(st.lost + st.late, msg).toBeLessThan(0.05 * st.packets);
      expect(st.reordered, msg).toBeGreaterThan(10);
      expect(during.delayMs, msg).toBeGreaterThan(100);
      expect(after.delayMs, msg).toBeLessThan(during.delayMs / 2);
      expect(during.jitterMs, msg).toBeGreaterThan(10);
      expect(after.jitterMs, msg).toBeLessThan(during.jitterMs / 2);
      // In order (across the 16-bit wrap) and no stall: the longest pause between releases
      // is a few frames, never the half second a frozen buffer would show.
      for (let j = 1; j < tr.order.length; j++) expect(((tr.order[j]! - tr.order[j - 1]!) & 0xffff) > 0).toBe(true);
      let gap = 0;
      for (let j = 1; j < tr.releases.length; j++) gap = Math.max(gap, tr.releases[j]! - tr.releases[j - 1]!);
      expect(gap, msg).toBeLessThan(400);
      // SRs came through the jitter and none was refused; the map agrees with the arrival clock.
      expect(tr.clock.stats.rejected).toBe(0);
      expect(tr.clock.stats.reports).toBeGreaterThanOrEqual(2);
      const sorted = [...tr.e2e].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      expect(median, msg).toBeGreaterThan(-20);
      expect(median, msg).toBeLessThan(250);
    }
  }, 60_000);
});
