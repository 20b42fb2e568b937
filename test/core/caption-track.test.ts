// The caption track of a `captions: true` path: appended to its stream's tracks, a cue published at once on a wall-clock
// RTP timeline, its clear at the end (a later cue takes it over), and sender reports on the publisher's clock.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LivePath } from '../../server/core/live-path.js';
import { captionTrackOf, publisherClockOffset } from '../../server/core/caption-track.js';
import type { OutPacket } from '../../server/core/out-packet.js';
import type { Track } from '../../server/media/track.js';
import { parseRtpPacket } from '../../server/rtp/packet.js';
import { parseRtcpCompound, buildSenderReport } from '../../server/rtp/rtcp.js';
import { ntpFromUnixMs, unixMsFromNtp } from '../../server/rtp/ntp.js';
import { decodeT140 } from '../../server/rtp/codecs/t140.js';

const video: Track = { id: 0, kind: 'video', codec: 'H264', clockRate: 90000, payloadType: 96 };

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_700_000_000_000);
});
afterEach(() => vi.useRealTimers());

function captured() {
  const path = new LivePath('cap', { gopCacheBytes: 1 << 20 }, { captions: true });
  const stream = path.start([video]);
  const rtp: { ts: number; text: string; marker: boolean }[] = [];
  const srs: { rtp: number; wall: number }[] = [];
  stream.attach({
    deliver: (p: OutPacket) => {
      if (p.trackId !== 1) return;
      const pkt = parseRtpPacket(p.data);
      rtp.push({ ts: pkt.timestamp, text: decodeT140(pkt.payload), marker: pkt.marker });
    },
    deliverRtcp: (id, d) => {
      const sr = parseRtcpCompound(d)[0]!;
      if (id === 1 && sr.type === 'sr') srs.push({ rtp: sr.rtpTimestamp, wall: unixMsFromNtp(sr.ntpSeconds, sr.ntpFraction) });
    },
    end: () => {},
  });
  return { path, stream, rtp, srs };
}

describe('caption track', () => {
  it('is a T.140 track after the source tracks; cues go at once, clears at their end, a later cue takes the clear over', () => {
    const { stream, rtp, path } = captured();
    expect(stream.tracks.map((t) => [t.id, t.kind, t.codec, t.clockRate])).toEqual([[0, 'video', 'H264', 90000], [1, 'text', 'T140', 1000]]);
    const cap = captionTrackOf(stream)!;
    expect(cap.add('one\ntwo', 2)).toBe(true);
    vi.advanceTimersByTime(1000);
    cap.add('three', 0.5);
    vi.advanceTimersByTime(5000);
    const t0 = rtp[0]!.ts;
    expect(rtp.map((p) => [((p.ts - t0) >>> 0), p.text, p.marker])).toEqual([
      [0, 'one\ntwo', true],
      [1000, 'three', true],
      [1500, '', false],
    ]);
    path.reset('gone');
    expect(cap.add('late', 1)).toBe(false);
  });

  it('sends sender reports mapping its clock onto the publisher\'s NTP clock', () => {
    const { stream, rtp, srs } = captured();
    // The publisher's clock is 7 s ahead of ours: its SR and a packet that arrives now say so.
    const now = Date.now();
    const ntp = ntpFromUnixMs(now + 7000);
    stream.publishRtcp(0, buildSenderReport({ ssrc: 1, ntpSeconds: ntp.seconds, ntpFraction: ntp.fraction, rtpTimestamp: 90000, packetCount: 1, octetCount: 1 }), true);
    stream.publish({ trackId: 0, data: new Uint8Array(12), seq: 1, timestamp: 90000 + 900, ssrc: 1, keyStart: true, arrivalMs: now });
    expect(publisherClockOffset(stream, 1)).toBeCloseTo(7010, 5);
    vi.advanceTimersByTime(1000);
    captionTrackOf(stream)!.add('x', 1);
    const sr = srs.at(-1)!;
    // The cue, posted at the SR's moment, is at the publisher's "now" (plus the 10 ms the packet carried).
    expect(sr.wall + ((rtp[0]!.ts - sr.rtp) | 0)).toBeCloseTo(Date.now() + 7010, 0);
  });
});
