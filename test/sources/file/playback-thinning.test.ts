// A thinned reader of a file (media/sample.mp4: x264 with non-reference B frames, a key frame every 2 s): its own
// cursor skips whole frames before packetization, so its seq numbers run on without gaps and its SRs count what it got.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { PacketSink } from '../../../server/core/playback.js';
import { Thinner, type ThinLevel } from '../../../server/core/thinner.js';
import { FilePlayback } from '../../../server/sources/file/playback.js';
import { loadMediaFile } from '../../../server/sources/file/demux.js';
import { parseRtpPacket } from '../../../server/rtp/packet.js';
import { parseRtcpCompound } from '../../../server/rtp/rtcp.js';

const file = await loadMediaFile(join(import.meta.dirname, '../../../media/sample.mp4'));

/** Plays 10 s with the reader at `level` (undefined: never thinned); what track 0 (video) and 1 (audio) got. */
function play(level: ThinLevel | undefined) {
  let now = 1000;
  const seqs: number[][] = [[], []];
  let frames = 0;
  const srs: { packets: number }[] = [];
  const thinner = new Thinner(0);
  if (level !== undefined) thinner.target = level;
  const sink: PacketSink = {
    headroom: 4,
    thinning: level === undefined ? undefined : thinner,
    rtp(track, p) {
      const pkt = parseRtpPacket(p.subarray(4));
      seqs[track]!.push(pkt.sequenceNumber);
      if (track === 0 && pkt.marker) frames++;
      return true;
    },
    rtcp(track, d) {
      const sr = parseRtcpCompound(d)[0]!;
      if (track === 0 && sr.type === 'sr') srs.push({ packets: sr.packetCount });
    },
  };
  const pb = new FilePlayback(file, sink, { mtu: 1400, rtcpIntervalMs: 1000, cname: 't', now: () => now, wall: () => 1.7e12 + now });
  pb.activate(0);
  pb.activate(1);
  pb.play();
  for (let t = 0; t < 10_000; t += 5) {
    now += 5;
    pb.tick();
  }
  return { seqs, frames, srs, thinner, info: pb.rtpInfo() };
}

const continuous = (s: number[]): boolean => s.every((x, i) => i === 0 || x === ((s[i - 1]! + 1) & 0xffff));

describe('FilePlayback thinning', () => {
  const full = play(undefined);
  const nonRef = play(1);
  const keys = play(2);

  it('congested: no non-reference frames (about two in three of this clip), audio untouched', () => {
    expect(full.frames).toBeGreaterThanOrEqual(299);
    expect(nonRef.frames).toBeLessThan(full.frames * 0.5);
    expect(nonRef.frames).toBeGreaterThan(full.frames * 0.2);
    expect(nonRef.seqs[1]!.length).toBe(full.seqs[1]!.length);
  });

  it('failing: key frames only', () => {
    expect(keys.frames).toBe(6); // 0, 2, 4, 6, 8 and 10 s (due at the last tick)
    expect(keys.thinner.keyFrames).toBe(6);
  });

  it('seq numbers without gaps, SR packet counts equal to what was sent, RTP-Info next seq', () => {
    for (const r of [nonRef, keys]) {
      expect(continuous(r.seqs[0]!)).toBe(true);
      expect(r.srs.at(-1)!.packets).toBeLessThanOrEqual(r.seqs[0]!.length);
      expect(r.info.find((i) => i.trackId === 0)!.seq).toBe((r.seqs[0]!.at(-1)! + 1) & 0xffff);
    }
    expect(keys.srs.at(-1)!.packets).toBe(keys.seqs[0]!.length);
  });
});
