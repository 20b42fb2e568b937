// Subtitle cue timing: the schedule against a simulated frame clock (each cue on the first frame at or after its start,
// off on the first at or after its end), open-ended T.140 cues, WebVTT markup, and T.140 packets placed on the video's
// clock through AvSync's RTP-to-wallclock mapping (SR refits move the cues with the frames).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzz } from '../helpers/fuzz.js';
import { AvSync } from '../../player/src/av-sync.js';
import { CueSchedule, OpenCueBuilder, webvttPlainText, type Cue } from '../../player/src/cue-schedule.js';
import { RtpClock } from '../../player/src/rtp-clock.js';
import { subtitleEntries } from '../../player/src/file-subtitles.js';
import { RtpTextCues, WsSubtitles } from '../../player/src/ws-subtitles.js';
import { pickTracks } from '../../player/src/track-choice.js';
import type { Track } from '../../server/media/track.js';
import { encodeT140 } from '../../server/rtp/codecs/t140.js';
import { ntpFromUnixMs } from '../../server/rtp/ntp.js';
import { buildRtpPacket } from '../../server/rtp/packet.js';

/** Presentation times of frames at `fps` from 0 to `until` s, and the text drawn with each. */
function play(schedule: CueSchedule, fps: number, until: number, offset = 0): { t: number; text: string }[] {
  const out: { t: number; text: string }[] = [];
  for (let n = 0; n / fps + offset <= until; n++) out.push({ t: n / fps + offset, text: schedule.textAt(n / fps + offset) });
  return out;
}

/** The presentation time of the first frame showing `text`, and of the first after it not showing it. */
function onAndOff(frames: { t: number; text: string }[], text: string): { on: number; off: number } {
  const i = frames.findIndex((f) => f.text === text);
  const j = frames.findIndex((f, k) => k > i && f.text !== text);
  return { on: frames[i]?.t ?? NaN, off: frames[j]?.t ?? NaN };
}

describe('CueSchedule on a frame clock', () => {
  const cues: Cue[] = [
    { start: 1, end: 2, text: 'First' },
    { start: 2.5, end: 3.5, text: 'Second\nline two' },
  ];
  for (const [fps, offset] of [[25, 0], [30, 0], [24, 0.013], [60, 0.001]] as const) {
    it(`${fps} fps (frames from ${offset} s): on with the first frame at or after the start, off at or after the end`, () => {
      const s = new CueSchedule();
      s.add(cues);
      const frames = play(s, fps, 4, offset);
      for (const c of cues) {
        const { on, off } = onAndOff(frames, c.text);
        expect(on).toBeGreaterThanOrEqual(c.start - 1e-9);
        expect(on - c.start).toBeLessThan(1 / fps);
        expect(off).toBeGreaterThanOrEqual(c.end - 1e-9);
        expect(off - c.end).toBeLessThan(1 / fps);
      }
    });
  }

  it('overlapping cues show together in start order; malformed and duplicate cues are ignored', () => {
    const s = new CueSchedule();
    s.add([
      { start: 2, end: 4, text: 'B' },
      { start: 1, end: 3, text: 'A' },
      { start: 1, end: 3, text: 'A' },
      { start: NaN, end: 3, text: 'nan' },
      { start: 3, end: 3, text: 'empty span' },
      { start: 5, end: 4, text: 'backwards' },
    ]);
    expect(s.size).toBe(2);
    expect([0.5, 1, 2.5, 3, 4].map((t) => s.textAt(t))).toEqual(['', 'A', 'A\nB', 'B', '']);
  });

  it('open-ended cues (T.140 units) end at the next unit; an empty unit clears', () => {
    const s = new CueSchedule();
    const b = new OpenCueBuilder(s);
    b.push(1, 'one');
    expect(s.textAt(100)).toBe('one');
    b.push(2, 'two');
    b.push(3, '');
    b.push(Number.NaN, 'ignored');
    expect([0.9, 1, 1.99, 2, 2.99, 3, 10].map((t) => s.textAt(t))).toEqual(['', 'one', 'one', 'two', 'two', '', '']);
  });

  it('textAt agrees with every cue checked one by one (random overlapping, open and malformed cues)', () => {
    const cue = fc.record({
      start: fc.oneof(fc.integer({ min: -5, max: 60 }), fc.constant(Number.NaN)),
      len: fc.oneof(fc.integer({ min: -2, max: 30 }), fc.constant(Infinity)),
      text: fc.constantFrom('a', 'b', 'c'),
    });
    fuzz('CueSchedule.textAt', 1717, 200, fc.property(fc.array(cue, { maxLength: 40 }), fc.array(fc.integer({ min: -10, max: 100 }), { maxLength: 20 }), (raw, times) => {
      const cues = raw.map((c) => ({ start: c.start / 2, end: c.start / 2 + c.len / 2, text: c.text }));
      const s = new CueSchedule();
      s.add(cues);
      const kept = [...new Map(cues.filter((c) => Number.isFinite(c.start) && c.end > c.start).map((c) => [`${c.start}|${c.end}|${c.text}`, c])).values()];
      kept.sort((a, b) => a.start - b.start);
      for (const t of times.map((x) => x / 2)) {
        expect(s.textAt(t)).toBe(kept.filter((c) => c.start <= t && t < c.end).map((c) => c.text).join('\n'));
      }
    }));
  });

  it.each([
    ['plain', 'plain'],
    ['<i>it</i> and <b>bold</b>', 'it and bold'],
    ['<v Roger>Hi</v>', 'Hi'],
    ['<c.yellow>x</c> <00:00:01.000>y', 'x y'],
    ['&lt;script&gt; &amp; &nbsp;', '<script> & \u00a0'],
    ['two\nlines', 'two\nlines'],
  ])('webvttPlainText(%j)', (raw, want) => expect(webvttPlainText(raw)).toBe(want));
});

describe('RtpTextCues: T.140 cues on the A/V sync mapping', () => {
  const BASE = 1_700_000_000_000;
  const V0 = 2 ** 32 - 3 * 90_000; // the video clock wraps 3 s in
  const T0 = 2 ** 32 - 3200; // the text clock 3.2 s in
  const sr = (wall: number, rtp: number) => {
    const n = ntpFromUnixMs(wall);
    return { ntpSeconds: n.seconds, ntpFraction: n.fraction, rtpTimestamp: rtp };
  };
  const videoTs = (s: number): number => (V0 + Math.round(s * 90_000)) >>> 0;
  const textTs = (s: number): number => (T0 + Math.round(s * 1000)) >>> 0;
  let seq = 0;
  const packet = (ts: number, text: string): Uint8Array =>
    buildRtpPacket({ payloadType: 98, marker: true, sequenceNumber: seq++ & 0xffff, timestamp: ts, ssrc: 7 }, encodeT140(text, 1000));

  it('a cue shows from the first 25 fps frame at or after its start to the first at or after its end, across an RTP wrap', () => {
    const video = new RtpClock(90_000);
    video.onSenderReport(sr(BASE, videoTs(0)));
    const sync = new AvSync(video, undefined, { now: () => 0, unixNow: () => BASE });
    const cues = new RtpTextCues((c, ts) => sync.wallclockOf(c, ts));
    cues.clock.onSenderReport(sr(BASE, textTs(0)));
    cues.onRtp(packet(textTs(1), 'First'), BASE);
    cues.onRtp(packet(textTs(2), ''), BASE);
    cues.onRtp(packet(textTs(3.3), 'Across the wrap'), BASE);
    cues.onRtp(packet(textTs(3.9), ''), BASE);
    const frames = Array.from({ length: 100 }, (_, n) => {
      const wall = sync.wallclockOf(video, videoTs(n / 25))!;
      return { t: n / 25, text: cues.textAt(wall) };
    });
    expect(onAndOff(frames, 'First')).toEqual({ on: 1, off: 2 });
    const w = onAndOff(frames, 'Across the wrap');
    expect(w.on).toBeCloseTo(3.32, 6); // frames at 3.28, 3.32: the first at or after 3.3
    expect(w.off).toBeCloseTo(3.92, 6);
    expect(cues.received).toBe(4);
    expect(cues.damaged).toBe(0);
  });

  it('a sender report for the text track moves its cues: they follow the sender clock, not their arrival', () => {
    const video = new RtpClock(90_000);
    video.onSenderReport(sr(BASE, videoTs(0)));
    const sync = new AvSync(video, undefined, { now: () => 0, unixNow: () => BASE });
    const cues = new RtpTextCues((c, ts) => sync.wallclockOf(c, ts) ?? c.arrivalWallclockMs(ts));
    // Arrived 300 ms after its start: by arrival the cue sits at 1.3 s.
    cues.onRtp(packet(textTs(1), 'Late packet'), BASE + 1300);
    const at = (s: number): string => cues.textAt(sync.wallclockOf(video, videoTs(s))!);
    expect([at(1.0), at(1.3)]).toEqual(['', 'Late packet']);
    cues.clock.onSenderReport(sr(BASE, textTs(0)));
    expect([at(0.96), at(1.0)]).toEqual(['', 'Late packet']);
  });

  it('malformed packets are dropped; a sequence gap is counted', () => {
    const cues = new RtpTextCues((c, ts) => c.arrivalWallclockMs(ts));
    cues.onRtp(new Uint8Array([1, 2, 3]), BASE);
    cues.onRtcp(new Uint8Array([0x80, 200, 0]));
    expect(cues.received).toBe(0);
    cues.onRtp(packet(textTs(1), 'a'), BASE + 1000);
    seq += 3;
    cues.onRtp(packet(textTs(2), 'b'), BASE + 2000);
    expect(cues.damaged).toBe(1);
    expect(cues.textAt(BASE + 2000)).toBe('b');
  });
});

describe('subtitleEntries (the mp4 mode\'s subtitles menu from the file\'s multivariant playlist)', () => {
  it('reads each EXT-X-MEDIA TYPE=SUBTITLES entry: id, label, the ?lang= that fetches it, DEFAULT', () => {
    const playlist = [
      '#EXTM3U',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",URI="audio-1.m3u8"',
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="subs.m3u8"',
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Français, sous-titres",LANGUAGE="fr",URI="subs-1.m3u8"',
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Commentary",URI="subs-2.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=1,SUBTITLES="subs"',
      'media.m3u8',
    ].join('\n');
    expect(subtitleEntries(playlist)).toEqual([
      { choice: { id: 'en', label: 'English' }, lang: 'en', isDefault: true },
      { choice: { id: 'fr', label: 'Français, sous-titres' }, lang: 'fr', isDefault: false },
      { choice: { id: 'track2', label: 'Commentary' }, lang: 'Commentary', isDefault: false },
    ]);
    expect(subtitleEntries('#EXTM3U\n#EXTINF:2,\nseg.mp4\n')).toEqual([]);
  });
});

describe('ws mode text tracks: which is set up, the menu, switching', () => {
  const t = (id: number, kind: string, codec: string, language?: string): Track => ({ id, kind, codec, clockRate: codec === 'T140' ? 1000 : 90_000, language }) as unknown as Track;
  const video = t(0, 'video', 'H264');
  const en = t(1, 'text', 'T140', 'eng');
  const fr = t(2, 'text', 'T140', 'fre');
  const described = [video, en, fr];

  it('pickTracks sets up the text track asked for (else the first), even when subtitles are off; none without video', () => {
    expect(pickTracks(described, undefined)).toEqual([video, en]);
    expect(pickTracks(described, undefined, 'fre')).toEqual([video, fr]);
    expect(pickTracks(described, undefined, 'track2')).toEqual([video, fr]);
    expect(pickTracks(described, undefined, 'off')).toEqual([video, en]);
    expect(() => pickTracks([en], undefined)).toThrow(/can be played/);
  });

  it('the menu lists every text track; off and on in place, another track asks for a new SETUP', () => {
    const shown: string[] = [];
    const subs = new WsSubtitles(en, { show: (x) => shown.push(x) }, (c, ts) => c.arrivalWallclockMs(ts));
    expect(subs.choices(described)).toEqual({ choices: [{ id: 'eng', label: 'English' }, { id: 'fre', label: 'French' }], current: 'eng' });
    expect(subs.set(null)).toBe(true);
    expect(subs.choices(described).current).toBeNull();
    expect(shown.at(-1)).toBe('');
    expect(subs.set('eng')).toBe(true);
    expect(subs.set('fre')).toBe(false);
  });
});
