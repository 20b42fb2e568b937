// Request URI -> stream path and track id, in the forms ffmpeg, GStreamer and VLC send.
import { describe, expect, it } from 'vitest';
import { contentBase, parseRtspTarget } from '../../server/rtsp/url.js';
import { RtspError } from '../../server/rtsp/errors.js';

describe('parseRtspTarget', () => {
  const cases: [string, string, number | undefined][] = [
    ['rtsp://h:8554/sample.mp4', 'sample.mp4', undefined],
    ['rtsp://h:8554/sample.mp4/', 'sample.mp4', undefined],
    ['rtsp://h/sample.mp4/trackID=1', 'sample.mp4', 1],
    ['rtsp://h/dir/clip.mkv/streamid=0', 'dir/clip.mkv', 0],
    ['rtsp://h/sample.mp4/stream=2', 'sample.mp4', 2],
    ['rtsp://h/sample.mp4?token=abc', 'sample.mp4', undefined],
    // ffmpeg publishing to a URL with a query puts the track control after it.
    ['rtsp://h/live?token=abc&cam=1/streamid=1', 'live', 1],
    ['rtsp://h/live?next=/a/b', 'live', undefined],
    ['rtsp://h/my%20clip.mp4/trackID=0', 'my clip.mp4', 0],
    ['rtsp://[::1]:554/a.ts', 'a.ts', undefined],
    ['/sample.mp4', 'sample.mp4', undefined],
    ['*', '', undefined],
    // Regression (found by the URI fuzz): an escaped slash is a separator, never part of a name.
    ['rtsp://h:554/%2F', '', undefined],
    ['rtsp://h/cams%2Fdoor/trackID=0', 'cams/door', 0],
  ];
  it.each(cases)('%s -> %s track %s', (uri, path, track) => {
    const t = parseRtspTarget(uri);
    expect(t.path).toBe(path);
    expect(t.trackId).toBe(track);
  });

  it.each([
    ['rtsp://h/live?token=abc&cam=1/streamid=1', 'token=abc&cam=1'],
    ['rtsp://h/live?next=/a/b#frag', 'next=/a/b'],
    ['rtsp://h/live?', undefined],
    ['rtsp://h/live#x?y', undefined],
    ['rtsp://h/live/trackID=0', undefined],
  ])('keeps the query of %s: %s', (uri, query) => {
    expect(parseRtspTarget(uri).query).toBe(query);
  });

  it.each(['http://h/x', 'sample.mp4', 'rtsp://h/%zz', 'rtsp://h/../etc/passwd', 'rtsp://h/a/%2e%2e/b', 'rtsp://h/x%2F..%2F..%2Fetc%2Fpasswd', 'rtsp://h/live%2F.'])('refuses %s with 400', (uri) => {
    try {
      parseRtspTarget(uri);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RtspError);
      expect((e as RtspError).status).toBe(400);
    }
  });

  it('builds Content-Base with one trailing slash and no query', () => {
    expect(contentBase('rtsp://h/a.mp4')).toBe('rtsp://h/a.mp4/');
    expect(contentBase('rtsp://h/a.mp4/')).toBe('rtsp://h/a.mp4/');
    expect(contentBase('rtsp://h/a.mp4?x=1')).toBe('rtsp://h/a.mp4/');
  });
});
