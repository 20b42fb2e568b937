// A file's subtitles as a T.140 text track: cue and clear units on the npt timeline, and a file playback that seeks into a cue.
import { describe, expect, it } from 'vitest';
import type { PacketSink } from '../../../server/core/playback.js';
import type { AccessUnit } from '../../../server/media/access-unit.js';
import type { Cue } from '../../../server/media/subtitles.js';
import type { MediaFile } from '../../../server/sources/file/demux.js';
import { FilePlayback } from '../../../server/sources/file/playback.js';
import { textUnits, withTextTracks } from '../../../server/sources/file/t140-tracks.js';
import { parseRtpPacket } from '../../../server/rtp/packet.js';
import { decodeT140 } from '../../../server/rtp/codecs/t140.js';

const units = (us: AccessUnit[]): [number, string][] => us.map((u) => [u.pts, u.data.map((d) => new TextDecoder().decode(d)).join('')]);
const cue = (start: number, end: number, text: string): Cue => ({ start, end, text });

describe('textUnits', () => {
  it.each<[string, Cue[], number, [number, string][]]>([
    ['a cue, then its clear', [cue(1, 2.5, 'a')], 10, [[1000, 'a'], [2500, '']]],
    ['back to back: no clear between', [cue(1, 2, 'a'), cue(2, 3, 'b')], 10, [[1000, 'a'], [2000, 'b'], [3000, '']]],
    ['overlapping: the next cue replaces', [cue(1, 4, 'a'), cue(2, 3, 'b')], 10, [[1000, 'a'], [2000, 'b'], [3000, '']]],
    ['a gap: cleared in between', [cue(0, 1, 'a'), cue(2, 3, 'b\nc')], 10, [[0, 'a'], [1000, ''], [2000, 'b\nc'], [3000, '']]],
    ['cut at the end of the media', [cue(1, 20, 'a'), cue(12, 13, 'late')], 10, [[1000, 'a'], [10000, '']]],
    ['none', [], 10, []],
  ])('%s', (_, cues, duration, expected) => {
    expect(units(textUnits(cues, duration))).toEqual(expected);
  });
});

/** 10 s of fake H.264 at 10 fps, a key frame each second. */
function fakeFile(cues: Cue[]): MediaFile {
  const video: AccessUnit[] = Array.from({ length: 100 }, (_, i) => ({ pts: i * 9000, dts: i * 9000, duration: 9000, key: i % 10 === 0, data: [new Uint8Array([i % 10 === 0 ? 0x65 : 0x41, 1, 2, 3])] }));
  const file: MediaFile = {
    path: '/x.mp4',
    tracks: [{ id: 0, kind: 'video', codec: 'H264', clockRate: 90000, payloadType: 96, h264: { sps: [new Uint8Array([0x67, 0x42, 0, 0x1e])], pps: [new Uint8Array([0x68, 1])] } }],
    units: [video],
    duration: 10,
    bytes: 400,
    startTime: 0,
    subtitles: [{ origin: 'x.en.vtt', language: 'en', name: 'English', cues }],
  };
  return withTextTracks(file);
}

describe('a file text track', () => {
  it('is appended after the video with its language, and played at cue times on the video timeline; a seek into a cue sends it at once', () => {
    const file = fakeFile([cue(1, 2, 'one'), cue(3.5, 6, 'two')]);
    expect(file.tracks[1]).toMatchObject({ id: 1, kind: 'text', codec: 'T140', clockRate: 1000, language: 'en', name: 'English' });
    let now = 0;
    const got: { track: number; at: number; ts: number; text: string; marker: boolean }[] = [];
    const sink: PacketSink = {
      headroom: 0,
      rtp(track, p) {
        const pkt = parseRtpPacket(p);
        got.push({ track, at: now, ts: pkt.timestamp, text: decodeT140(pkt.payload), marker: pkt.marker });
        return true;
      },
      rtcp() {},
    };
    const pb = new FilePlayback(file, sink, { mtu: 1400, rtcpIntervalMs: 5000, cname: 't', now: () => now, wall: () => 1.7e12 + now });
    pb.activate(0);
    pb.activate(1);
    const base = pb.rtpInfo().find((i) => i.trackId === 1)!.rtptime;
    pb.play();
    for (; now < 7000; now += 10) pb.tick();
    const text = got.filter((g) => g.track === 1).map((g) => [g.at, (g.ts - base) >>> 0, g.text, g.marker]);
    expect(text).toEqual([
      [1000, 1000, 'one', true],
      [2000, 2000, '', false],
      [3500, 3500, 'two', true],
      [6000, 6000, '', false],
    ]);

    // A seek to 4.2 s starts at the key frame at 4 s, inside "two": it goes first, stamped 3.5 s.
    got.length = 0;
    expect(pb.seek(4.2)).toBe(4);
    const info = pb.rtpInfo().find((i) => i.trackId === 1)!;
    pb.play();
    pb.tick();
    const first = got.find((g) => g.track === 1)!;
    expect([first.text, (info.rtptime - first.ts) >>> 0]).toEqual(['two', 500]);
  });
});
