// The player's jitter buffer and SR clock on real RTSP-over-WebSocket traffic from Tidecast, through the jitter relay: target grows, then comes back down.
//
// On a simulated clock: vitest fakes the timers, Date and performance.now() once the session is set
// up, so the server's pacing and sender reports, the relay's seeded delays and the client's arrival
// stamps all run on one clock that the test moves 1 ms at a time, letting the real sockets deliver
// everything due before it moves on. The figures are those of the seeded network, not of how busy
// the machine is, and 18 s of traffic take a few seconds.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { parseRtpPacket } from '../../server/rtp/packet.js';
import { parseRtcpCompound } from '../../server/rtp/rtcp.js';
import { JitterBuffer, type JitterStats, type RtpPacketIn } from '../../player/src/jitter-buffer.js';
import { RtpClock } from '../../player/src/rtp-clock.js';
import { startJitterRelay, type JitterRelay } from '../helpers/jitter-relay.js';
import { bodyText } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsRtspClient } from '../helpers/ws-rtsp-client.js';

let srv: TestServer;
let relay: JitterRelay;

beforeAll(async () => {
  srv = await startTestServer();
  relay = await startJitterRelay({ upstream: `ws://127.0.0.1:${srv.httpPort}/rtsp`, maxDelayMs: 150, reorderWindow: 8, seed: 3 });
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  await relay?.close();
  await srv?.close();
});

const JITTER_MS = 8000;
const CLEAN_MS = 10_000;

/** Moves the simulated clock, 1 ms at a time, letting the sockets deliver what each millisecond sent. */
class SimClock {
  private messages = 0;

  constructor(private readonly c: WsRtspClient) {
    c.ws.on('message', () => this.messages++);
  }

  /** Event-loop turns until no message moved at the relay or the client for two turns in a row. */
  private async settle(): Promise<void> {
    let last = '';
    for (let stable = 0, turns = 0; stable < 2 && turns < 200; turns++) {
      await new Promise<void>((r) => setImmediate(r));
      const s = relay.stats();
      const now = `${s.up} ${s.down} ${s.delayed} ${this.messages}`;
      stable = now === last ? stable + 1 : 0;
      last = now;
    }
  }

  async run(ms: number): Promise<void> {
    for (let t = 0; t < ms; t++) {
      await vi.advanceTimersByTimeAsync(1);
      await this.settle();
    }
  }

  /** Runs the clock until `p` settles (a request's answer, delayed by the relay); at most `ms` of simulated time. */
  async until<T>(p: Promise<T>, ms = 5000): Promise<T> {
    let done = false;
    const watched = p.finally(() => (done = true));
    await this.settle();
    for (let t = 0; !done && t < ms; t++) {
      await vi.advanceTimersByTimeAsync(1);
      await this.settle();
    }
    if (!done) throw new Error(`nothing after ${ms} ms of simulated time`);
    return watched;
  }
}

describe('jitter buffer on live traffic through the jitter relay', () => {
  it('plays every packet in order without a stall; the target grows under jitter and comes back down after', async () => {
    relay.setJitter(true);
    const c = await WsRtspClient.open(relay.url('/rtsp'), ['rtsp']);
    let t0 = 0;
    let tOff = 0;
    /** Date.now() - performance.now() on the simulated clock: arrival stamps to wallclock. */
    let wallOffset = 0;
    try {
      // Set up on real time (the file is demuxed meanwhile); played on simulated time.
      const base = `${srv.url('sample.mp4')}/`;
      const s0 = await c.request('SETUP', `${base}trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
      expect(s0.status, bodyText(s0)).toBe(200);
      const id = parseSession(s0.headers.get('Session')!).id;
      const s1 = await c.request('SETUP', `${base}trackID=1`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=2-3', Session: id });
      expect(s1.status, bodyText(s1)).toBe(200);
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
      const clock = new SimClock(c);
      const play = await clock.until(c.request('PLAY', base, { Session: id }));
      expect(play.status, bodyText(play)).toBe(200);
      t0 = performance.now();
      wallOffset = Date.now() - t0;
      await clock.run(JITTER_MS);
      relay.setJitter(false);
      tOff = performance.now();
      await clock.run(CLEAN_MS);
      await clock.until(c.request('TEARDOWN', base, { Session: id }));
    } finally {
      vi.useRealTimers();
      c.close();
    }
    expect(c.badMessages).toEqual([]);
    const rs = relay.stats();
    expect(rs.reordered).toBeGreaterThan(50);
    // Every packet arrived once: TCP and the relay lose nothing, they only reorder.
    for (const channel of [0, 2]) {
      const seqs = c.rtpOn(channel).map((p) => p.sequenceNumber);
      const rel = seqs.map((q) => ((q - seqs[0]! + 0x8000) & 0xffff) - 0x8000).sort((a, b) => a - b);
      expect(rel.every((d, i) => i === 0 || d === rel[i - 1]! + 1), `channel ${channel}: sequence numbers not contiguous`).toBe(true);
    }

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
        // Sender wallclock vs receiver clock at arrival: one (simulated) clock for both.
        if (wall !== undefined) tr.e2e.push(wallOffset + f.at - wall);
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
  }, 120_000);
});
