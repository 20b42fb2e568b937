// The per-reader cursor with a fake clock: pacing without drift, seek to key frames, pause, end.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { PacketSink } from '../../../server/core/playback.js';
import { FilePlayback } from '../../../server/sources/file/playback.js';
import { loadMediaFile } from '../../../server/sources/file/demux.js';
import { parseRtpPacket } from '../../../server/rtp/packet.js';
import { parseRtcpCompound } from '../../../server/rtp/rtcp.js';

const file = await loadMediaFile(join(import.meta.dirname, '../../../media/sample.mp4'));

function harness() {
  let now = 1000;
  const rtp: { track: number; at: number; seq: number; ts: number; marker: boolean }[] = [];
  const rtcp: { track: number; at: number; types: string[] }[] = [];
  const sink: PacketSink = {
    headroom: 4,
    rtp(track, p) {
      const pkt = parseRtpPacket(p.subarray(4));
      rtp.push({ track, at: now, seq: pkt.sequenceNumber, ts: pkt.timestamp, marker: pkt.marker });
      return true;
    },
    rtcp(track, d) {
      rtcp.push({ track, at: now, types: parseRtcpCompound(d).map((x) => x.type) });
    },
  };
  const pb = new FilePlayback(file, sink, { mtu: 1400, rtcpIntervalMs: 5000, cname: 't', now: () => now, wall: () => 1.7e12 + now });
  pb.activate(0);
  pb.activate(1);
  const run = (ms: number, step = 5): void => {
    for (let t = 0; t < ms; t += step) {
      now += step;
      pb.tick();
    }
  };
  return { pb, rtp, rtcp, run, advance: (ms: number) => (now += ms), get now() { return now; } };
}

describe('FilePlayback', () => {
  it('sends media at real-time pace, without drift over the whole file', () => {
    const h = harness();
    h.pb.play();
    const start = h.now;
    h.run(10_000);
    const videoFrames = h.rtp.filter((p) => p.track === 0 && p.marker).length;
    // 10 s at 30 fps, give or take the frames already due at the start (B-frame reorder).
    expect(videoFrames).toBeGreaterThanOrEqual(299);
    expect(videoFrames).toBeLessThanOrEqual(303);
    const lastAudio = h.rtp.filter((p) => p.track === 1).at(-1)!;
    const firstAudio = h.rtp.find((p) => p.track === 1)!;
    const mediaSeconds = ((lastAudio.ts - firstAudio.ts) >>> 0) / 48000;
    expect(mediaSeconds).toBeCloseTo((lastAudio.at - start) / 1000, 1);
  });

  it('starts a seek at the key frame at or before the requested time', () => {
    const h = harness();
    expect(h.pb.seek(10)).toBeCloseTo(10, 5);
    expect(h.pb.seek(11.5)).toBeCloseTo(10, 5);
    expect(h.pb.seek(0)).toBe(0);
  });

  it('pauses with nothing sent and resumes where it stopped', () => {
    const h = harness();
    h.pb.play();
    h.run(1000);
    h.pb.pause();
    const n = h.rtp.length;
    const pos = h.pb.currentPosition();
    h.run(2000);
    expect(h.rtp.length).toBe(n);
    expect(h.pb.currentPosition()).toBe(pos);
    const info = h.pb.rtpInfo();
    h.pb.play();
    h.run(100);
    const next = h.rtp[n]!;
    expect(next.seq).toBe(info.find((i) => i.trackId === next.track)!.seq);
  });

  it('sends an SR at once, then one a second until five were sent, then every 5 s, and SR+BYE at the end', () => {
    const h = harness();
    h.pb.seek(8);
    h.pb.play();
    const t0 = h.now;
    expect(h.rtcp.filter((r) => r.types[0] === 'sr').length).toBe(2); // one per track at start
    h.run(13_000);
    expect(h.pb.state).toBe('ended');
    const byes = h.rtcp.filter((r) => r.types.includes('bye'));
    expect(byes.map((b) => b.track).sort()).toEqual([0, 1]);
    expect(byes[0]!.types).toEqual(['sr', 'sdes', 'bye']);
    // GStreamer applies the first SR after its jitter buffer starts (2 s or later): one a second at first.
    const videoSrAt = h.rtcp.filter((r) => r.track === 0 && !r.types.includes('bye')).map((r) => Math.round((r.at - t0) / 100) * 100);
    expect(videoSrAt).toEqual([0, 1000, 2000, 3000, 4000, 9000]);
    // PLAY again (after a PAUSE) starts the early reports over.
    const h2 = harness();
    h2.pb.play();
    h2.run(6_000);
    h2.pb.pause();
    h2.run(2_000);
    const resumedAt = h2.now;
    h2.pb.play();
    h2.run(3_500);
    const after = h2.rtcp.filter((r) => r.track === 0 && r.at >= resumedAt).map((r) => Math.round((r.at - resumedAt) / 100) * 100);
    expect(after).toEqual([0, 1000, 2000, 3000]);
  });

  it('skips to the next key frame when the sink refuses a video packet', () => {
    let refuse = false;
    const got: { key: boolean; marker: boolean }[] = [];
    let now = 0;
    const pb = new FilePlayback(file, {
      headroom: 0,
      rtp: (_t, p) => {
        if (refuse) return false;
        const pkt = parseRtpPacket(p);
        const nal = pkt.payload[0]! & 0x1f;
        got.push({ key: nal === 24 || nal === 5 || (nal === 28 && (pkt.payload[1]! & 0x1f) === 5), marker: pkt.marker });
        return true;
      },
      rtcp: () => undefined,
    }, { mtu: 1400, rtcpIntervalMs: 5000, cname: 't', now: () => now, wall: () => now });
    pb.activate(0);
    pb.play();
    for (; now < 500; now += 5) pb.tick();
    refuse = true;
    for (; now < 600; now += 5) pb.tick();
    refuse = false;
    const before = got.length;
    for (; now < 2600; now += 5) pb.tick();
    // Nothing more until the key frame at 2 s, which comes first after the congestion.
    expect(got.length).toBeGreaterThan(before);
    expect(got[before]!.key).toBe(true);
  });
});

describe('FilePlayback.replaceMedia', () => {
  it('plays another media of the same tracks with the same SSRC and the next sequence number', () => {
    const h = harness();
    const ssrc = h.pb.ssrcOf(0);
    h.pb.play();
    h.run(500);
    const lastSeq = h.rtp.filter((p) => p.track === 0).at(-1)!.seq;
    // The second half of the file as a media of its own (times shifted to start at 0).
    const shift = (n: number) => Math.round(10 * file.tracks[n]!.clockRate);
    const half = { ...file, units: file.units.map((u, n) => u.filter((x) => x.pts >= shift(n)).map((x) => ({ ...x, pts: x.pts - shift(n), dts: x.dts - shift(n) }))), duration: file.duration - 10 };
    h.pb.replaceMedia(half);
    expect(h.pb.state).toBe('paused');
    expect(h.pb.duration).toBeCloseTo(file.duration - 10, 3);
    expect(h.pb.seek(0)).toBe(0);
    const [info] = h.pb.rtpInfo();
    expect(info!.seq).toBe((lastSeq + 1) & 0xffff);
    const sent = h.rtp.length;
    h.pb.play();
    h.run(200);
    const after = h.rtp.slice(sent).filter((p) => p.track === 0);
    expect(after[0]!.seq).toBe(info!.seq);
    expect(after[0]!.ts).toBe(info!.rtptime);
    expect(h.pb.ssrcOf(0)).toBe(ssrc);
  });
});
