// T.140 text on live paths (RFC 4103): a relay (our RTSP client) forwards a file's subtitle track; a caption POSTed to a
// `captions: true` path reaches an RTSP reader of a relay of it, at the frame arriving when it was posted; a publisher's T.140 is forwarded through a relay.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { cutClips, type Clips } from '../helpers/clips.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/read.js';
import { readText } from '../helpers/text-reader.js';
import { RawPublisher } from '../helpers/raw-publisher.js';

const VTT = 'WEBVTT\n\n00:00:00.400 --> 00:00:01.000\nOne\n\n00:00:01.500 --> 00:00:02.000\nTwo\n';
let origin: TestServer;
let edge: TestServer;
let clips: Clips;

beforeAll(async () => {
  clips = cutClips(['sample.mp4'], 3);
  writeFileSync(join(clips.dir, 'clip-sample.vtt'), VTT);
  const clip = join(clips.dir, 'clip-sample.mp4');
  origin = await startTestServer({
    mediaDir: clips.dir,
    paths: {
      live: { ffmpeg: `-re -stream_loop -1 -i ${clip} -c copy`, captions: true },
      pub: { source: 'publisher' },
    },
  });
  edge = await startTestServer({
    mediaDir: clips.dir,
    paths: {
      file: { source: origin.url('clip-sample.mp4') },
      live: { source: origin.url('live') },
      pub: { source: origin.url('pub') },
    },
  });
});
afterAll(async () => {
  await edge?.close();
  await origin?.close();
  clips?.remove();
});

describe('T.140 on live paths', () => {
  it('a relay of a file with subtitles serves its text track: the cues arrive through our client', async () => {
    const r = await readText(edge.rtspPort, edge.url('file'));
    onTestFinished(() => r.close());
    expect(r.tracks.map((t) => t.codec)).toEqual(['H264', 'AAC', 'T140']);
    await waitFor(() => r.cues().length >= 4, 20_000, 'four text packets through the relay');
    const cues = r.cues();
    const step = (i: number): number => ((cues[i]!.ts - cues[0]!.ts) >>> 0) / 1000;
    expect(cues.slice(0, 4).map((c, i) => [step(i), c.text])).toEqual([
      [0, 'One'],
      [0.6, ''],
      [1.1, 'Two'],
      [1.6, ''],
    ]);
  });

  it('a caption posted to a captions path reaches an RTSP reader of its relay, on the video frame of its moment, and clears after its duration', async () => {
    const r = await readText(edge.rtspPort, edge.url('live'));
    onTestFinished(() => r.close());
    expect(r.sdp).toMatch(/m=text 0 RTP\/AVP \d+\r\ni=Captions\r\na=rtpmap:\d+ t140\/1000/);
    const text = r.tracks.find((t) => t.kind === 'text')!;
    const video = r.tracks.find((t) => t.kind === 'video')!;
    // Video flowing and both tracks' SRs in: the reader can place the cue on the video's clock.
    await waitFor(() => r.client.rtpOn(2 * video.id).length > 30 && r.wallOf(text.id, 0) !== undefined && r.wallOf(video.id, 0) !== undefined, 20_000, 'video and SRs');
    const res = await fetch(origin.httpUrl('api/v1/paths/live/captions'), { method: 'POST', body: JSON.stringify({ text: 'Live\nnow', duration: 0.5 }) });
    const body = (await res.json()) as { rtsp: boolean; text: string };
    expect([res.status, body.rtsp, body.text]).toEqual([200, true, 'Live\nnow']);
    const videoBefore = r.client.rtpOn(2 * video.id).at(-1)!;
    await waitFor(() => r.cues().length >= 2, 10_000, 'the caption and its clear');
    const [cue, clear] = r.cues();
    expect([cue!.text, clear!.text, ((clear!.ts - cue!.ts) >>> 0)]).toEqual(['Live\nnow', '', 500]);
    // The cue sits between the last frame read before the POST and the last read after the cue, give
    // or take 100 ms of media time: RTP carries video presentation times, up to the B-frame reorder
    // delay (2 frames at 30 fps) ahead of the order frames are sent in.
    const frames = r.client.rtpOn(2 * video.id);
    const cueWall = r.wallOf(text.id, cue!.ts)!;
    expect(cueWall).toBeGreaterThanOrEqual(r.wallOf(video.id, videoBefore.timestamp)! - 100);
    expect(cueWall).toBeLessThanOrEqual(r.wallOf(video.id, frames.at(-1)!.timestamp)! + 100);
    // HLS of the same path leaves the text track out and still lists the caption rendition.
    const idx = await fetch(origin.httpUrl('live/index.m3u8'));
    expect([idx.status, await idx.text()]).toEqual([200, expect.stringContaining('TYPE=SUBTITLES')]);
    const media = await fetch(origin.httpUrl('live/media.m3u8'));
    expect([media.status, await media.text()]).toEqual([200, expect.stringMatching(/#EXTINF/)]);
  });

  // ffmpeg reads T.140 (ffprobe above lists it) but its RTP muxer cannot send it ("Unsupported codec text"),
  // so the publisher here is a hand-driven RECORD session sending RFC 4103 packets.
  it('a publisher\'s T.140 track is forwarded: readers of its relay get its cues with their timestamps', async () => {
    const pub = await RawPublisher.start(origin.rtspPort, origin.url('pub'), TEXT_SDP, 1);
    onTestFinished(() => pub.close());
    const stream = origin.paths.liveStreams().find((s) => s.name === 'pub')!;
    expect(stream.tracks.map((t) => [t.kind, t.codec, t.clockRate, t.language])).toEqual([['text', 'T140', 1000, 'fr']]);
    let seq = 0;
    const send = (text: string, ts: number): Promise<void> =>
      pub.send(0, packet(seq++, ts, new TextEncoder().encode(text.replace(/\n/g, '\u2028'))));
    // A cue every 100 ms of RTP time, sent every 100 ms, until the test ends; the relay starts with its first reader.
    let ts = 5000;
    const timer = setInterval(() => {
      void send(`Bonjour\nà tous ${ts}`, ts);
      ts += 100;
    }, 100);
    onTestFinished(() => clearInterval(timer));
    const r = await readText(edge.rtspPort, edge.url('pub'));
    onTestFinished(() => r.close());
    expect(r.sdp).toMatch(/m=text 0 RTP\/AVP \d+\r\n(?:.*\r\n)*a=lang:fr/);
    await waitFor(() => r.cues().length >= 2, 20_000, 'two cues through the relay');
    const [a, b] = r.cues();
    expect(a!.text).toMatch(/^Bonjour\nà tous \d+$/);
    expect(b!.text).toBe(`Bonjour\nà tous ${Number(a!.text.split(' ').at(-1)) + 100}`);
    expect((b!.ts - a!.ts) >>> 0).toBe(100);
  });
});

const TEXT_SDP = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=text', 't=0 0', 'm=text 0 RTP/AVP 98', 'a=rtpmap:98 t140/1000', 'a=lang:fr', 'a=control:trackID=0', ''].join('\r\n');

/** An RFC 4103 packet: PT 98, marker set, SSRC 0x7140. */
function packet(seq: number, ts: number, payload: Uint8Array): Uint8Array {
  const p = new Uint8Array(12 + payload.length);
  const v = new DataView(p.buffer);
  v.setUint8(0, 0x80);
  v.setUint8(1, 0x80 | 98);
  v.setUint16(2, seq & 0xffff);
  v.setUint32(4, ts >>> 0);
  v.setUint32(8, 0x7140);
  p.set(payload, 12);
  return p;
}
