// Control URL resolution (Content-Base, Content-Location, ffmpeg's appending rules) and userinfo stripping of the relay's RTSP URLs.
import { describe, expect, it } from 'vitest';
import { RtspHeaders } from '../../../server/rtsp/headers-map.js';
import { resolveControls, stripUserinfo } from '../../../server/sources/relay/rtsp-url.js';

describe('control URLs', () => {
  const sdp = (session: string | undefined, ...medias: (string | undefined)[]): string =>
    ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=x', 't=0 0', ...(session ? [`a=control:${session}`] : []),
      ...medias.flatMap((c, i) => [`m=video 0 RTP/AVP ${96 + i}`, `a=rtpmap:${96 + i} H264/90000`, ...(c ? [`a=control:${c}`] : [])]), ''].join('\r\n');
  const h = (o: Record<string, string | undefined>) => new RtspHeaders(o);

  it.each([
    { name: 'Content-Base with slash (Tidecast, MediaMTX)', url: 'rtsp://h/p', headers: { 'Content-Base': 'rtsp://h/p/' }, session: '*', medias: ['trackID=0', 'trackID=1'], base: 'rtsp://h/p/', aggregate: 'rtsp://h/p/', controls: ['rtsp://h/p/trackID=0', 'rtsp://h/p/trackID=1'] },
    { name: 'no Content-Base: request URL, "/" appended', url: 'rtsp://h/p', headers: {}, session: undefined, medias: ['stream=0'], base: 'rtsp://h/p', aggregate: 'rtsp://h/p', controls: ['rtsp://h/p/stream=0'] },
    { name: 'Content-Location when no Content-Base', url: 'rtsp://h/p', headers: { 'Content-Location': 'rtsp://h/q/' }, session: undefined, medias: ['a'], base: 'rtsp://h/q/', aggregate: 'rtsp://h/q/', controls: ['rtsp://h/q/a'] },
    { name: 'query in the base stays ahead (ffmpeg appends after it)', url: 'rtsp://cam/live?ch=1', headers: {}, session: undefined, medias: ['track1'], base: 'rtsp://cam/live?ch=1', aggregate: 'rtsp://cam/live?ch=1', controls: ['rtsp://cam/live?ch=1/track1'] },
    { name: 'absolute controls as they are, session-level absolute is the aggregate', url: 'rtsp://h/p', headers: { 'Content-Base': 'rtsp://h/p/' }, session: 'rtsp://h/agg', medias: ['rtsp://other:8554/v', 'rtsp://u:p@h/a'], base: 'rtsp://h/p/', aggregate: 'rtsp://h/agg', controls: ['rtsp://other:8554/v', 'rtsp://h/a'] },
    { name: 'media "*" or none is the base; relative session control ignored (ffmpeg)', url: 'rtsp://h/p', headers: { 'Content-Base': 'rtsp://h/p/' }, session: 'foo', medias: ['*', undefined], base: 'rtsp://h/p/', aggregate: 'rtsp://h/p/', controls: ['rtsp://h/p/', 'rtsp://h/p/'] },
    { name: 'relative Content-Base, path-absolute control', url: 'rtsp://h:5/a/b', headers: { 'Content-Base': 'c/' }, session: undefined, medias: ['/z/track'], base: 'rtsp://h:5/a/c/', aggregate: 'rtsp://h:5/a/c/', controls: ['rtsp://h:5/z/track'] },
  ])('$name', ({ url, headers, session, medias, base, aggregate, controls }) => {
    const d = resolveControls(url, sdp(session, ...medias), h(headers));
    expect(d.baseUrl).toBe(base);
    expect(d.aggregateControl).toBe(aggregate);
    expect(d.medias.map((m) => m.control)).toEqual(controls);
  });

  it('strips userinfo only', () => {
    expect(stripUserinfo('rtsp://u:p%40x@h:554/a@b?c=@')).toBe('rtsp://h:554/a@b?c=@');
    expect(stripUserinfo('rtsp://h/a@b')).toBe('rtsp://h/a@b');
  });
});
