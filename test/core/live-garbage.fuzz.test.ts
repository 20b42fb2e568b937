// Property: a publisher's garbage RTP and RTCP (any codec, with or without parameter sets) never throws in the ingest, the stream, the access-unit view, the LL-HLS muxer or the progressive fMP4/TS muxers, and whatever they write parses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TimedUnit } from '../../server/core/au-view.js';
import { Stream } from '../../server/core/stream.js';
import { LiveHlsMuxer } from '../../server/http/hls/live-muxer.js';
import { hlsTracks } from '../../server/http/hls/segmenter.js';
import { createMuxer, type ProgressiveMuxer } from '../../server/http/progressive/formats.js';
import { LiveFeed } from '../../server/http/progressive/live.js';
import { silentLogger } from '../../server/log.js';
import type { CodecName, Track } from '../../server/media/track.js';
import { buildSenderReport } from '../../server/rtp/rtcp.js';
import { ingestRtp } from '../../server/sources/publish/publisher.js';
import { fuzz } from '../helpers/fuzz.js';
import { fragmentProblems, initProblems, tsProblems } from '../helpers/mux-check.js';
import { rtpPackets } from '../helpers/rtp-arbitraries.js';

const SPS = Uint8Array.of(0x67, 0x64, 0x00, 0x1e, 0xac, 0xd1, 0x00, 0xa0, 0x2f, 0xf9, 0x70, 0x11);
const PPS = Uint8Array.of(0x68, 0xeb, 0xec, 0xb2, 0x2c);

/** A video track as an ANNOUNCE describes it: with the SDP's parameter sets, garbage ones, or none (in band later). */
const videoTrack = fc.record({
  codec: fc.constantFrom<CodecName>('H264', 'H265'),
  params: fc.constantFrom('sdp', 'garbage', 'none'),
  garbage: fc.uint8Array({ minLength: 1, maxLength: 40 }),
}).map(({ codec, params, garbage }): Track => {
  const t: Track = { id: 0, kind: 'video', codec, clockRate: 90000, payloadType: 96 };
  if (params === 'none') return t;
  if (codec === 'H264') t.h264 = params === 'sdp' ? { sps: [SPS], pps: [PPS] } : { sps: [garbage], pps: [garbage] };
  else t.h265 = { vps: [garbage], sps: [garbage], pps: [garbage] };
  return t;
});

const audioTrack = fc.record({
  codec: fc.constantFrom<CodecName>('AAC', 'OPUS', 'PCMU', 'PCMA'),
  asc: fc.oneof(fc.constant(Uint8Array.of(0x11, 0x90)), fc.uint8Array({ maxLength: 6 })),
  channels: fc.constantFrom(1, 2, 6),
}).map(({ codec, asc, channels }): Track => {
  const clockRate = codec === 'AAC' ? 48000 : codec === 'OPUS' ? 48000 : 8000;
  const t: Track = { id: 1, kind: 'audio', codec, clockRate, channels, sampleRate: clockRate, payloadType: 97 };
  if (codec === 'AAC') t.aac = { asc };
  return t;
});

/** Reads the access units as a progressive reader does (muxer made at the first key frame), checking every chunk. */
class MuxProbe {
  private muxers: { format: 'mp4' | 'ts'; m: ProgressiveMuxer; cc: Map<number, number> }[] | undefined;
  readonly problems: string[] = [];
  chunks = 0;
  constructor(private readonly stream: Stream) {}

  deliverAu(u: TimedUnit): void {
    if (!this.muxers) {
      const video = this.stream.tracks.find((t) => t.kind === 'video');
      if (video && (u.trackId !== video.id || !u.au.key)) return;
      this.muxers = (['mp4', 'ts'] as const).map((format) => ({ format, m: createMuxer(format, this.stream.tracks, { live: true }), cc: new Map() }));
      for (const { m } of this.muxers) if (m.head) this.problems.push(...initProblems(m.head));
    }
    for (const { format, m, cc } of this.muxers) {
      for (const c of m.push(u.trackId, u.au)) {
        this.chunks++;
        this.problems.push(...(format === 'mp4' ? fragmentProblems(c.bytes) : tsProblems(c.bytes, cc)));
      }
    }
  }

  end(): void {
    for (const { m } of this.muxers ?? []) for (const c of m.flush()) this.problems.push(...fragmentProblems(c.bytes));
  }
}

describe('a publisher sending garbage', () => {
  it('never breaks the ingest, the access-unit view, LL-HLS or the progressive muxers, and what they write parses', () => {
    const input = fc
      .tuple(videoTrack, audioTrack, fc.boolean())
      .chain(([video, audio, reorder]) =>
        fc.record({
          video: fc.constant(video),
          audio: fc.constant(audio),
          reorder: fc.constant(reorder),
          vp: rtpPackets(video.codec, 96, 60),
          ap: rtpPackets(audio.codec, 97, 30),
          srs: fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.uint8Array({ maxLength: 40 })), { maxLength: 4 }),
        }),
      );
    const seen = { chunks: 0, parts: 0 };
    fuzz('live publisher garbage -> ingest, AU view, LL-HLS, fMP4/TS', 11, 600, fc.property(input, ({ video, audio, reorder, vp, ap, srs }) => {
      const stream = new Stream('fuzz', [video, audio], { gopCacheBytes: 1 << 20 });
      const hls = hlsTracks(stream.tracks).length > 0 ? new LiveHlsMuxer(stream, { partTarget: 0.2, segmentMin: 1, segmentCount: 4 }) : undefined;
      hls?.start();
      const probe = new MuxProbe(stream);
      stream.attachAu({ deliverAu: (u) => probe.deliverAu(u), end: () => probe.end() });
      const feeds = (['mp4', 'ts'] as const).map((f) => LiveFeed.for(stream, f, silentLogger, 1 << 20));
      const pub = ingestRtp(stream, [{ trackId: 0, reorder }, { trackId: 1, reorder }]);
      let now = 1000;
      const n = Math.max(vp.length, ap.length);
      for (let i = 0; i < n; i++) {
        now += 7;
        if (vp[i]) pub.pushRtp(0, vp[i]!, now);
        if (ap[i]) pub.pushRtp(1, ap[i]!, now);
        const sr = srs[i];
        if (sr) {
          const [track, ntp, rtp, junk] = sr;
          pub.pushRtcp(track, i % 2 ? junk : buildSenderReport({ ssrc: 1, ntpSeconds: ntp, ntpFraction: rtp, rtpTimestamp: rtp, packetCount: i, octetCount: i }));
        }
        if (i % 8 === 0) pub.flush(now);
      }
      pub.flush(now + 10_000);
      stream.end('publisher left');
      expect(feeds.every((f) => f.clients.size === 0)).toBe(true);
      const problems = [...probe.problems];
      if (hls?.init) problems.push(...initProblems(hls.init));
      for (let msn = 0; hls && msn < 100; msn++) {
        for (const part of hls.segment(msn) ?? []) {
          seen.parts++;
          problems.push(...fragmentProblems(part));
        }
      }
      seen.chunks += probe.chunks;
      expect(problems).toEqual([]);
    }));
    // The garbage met working muxers, not only depacketizers waiting for a first key frame.
    console.log(`checked ${seen.chunks} progressive chunks and ${seen.parts} LL-HLS parts`);
    expect(seen.chunks).toBeGreaterThan(100);
    expect(seen.parts).toBeGreaterThan(10);
  });
});
