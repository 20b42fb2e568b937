// Server-to-client requests: the ANNOUNCE option tag, the connection's own CSeq numbering and answer matching, REDIRECT's headers.
import { describe, expect, it } from 'vitest';
import { RtspHeaders } from '../../../server/rtsp/headers-map.js';
import { ANNOUNCE_OPTION_TAG, listsOptionTag } from '../../../server/rtsp/headers/option-tags.js';
import { RtspParser } from '../../../server/rtsp/parser.js';
import { ServerOutbox } from '../../../server/rtsp/server-requests/outbox.js';
import { clockNow, webSocketLocation } from '../../../server/rtsp/server-requests/redirect.js';
import { aggregateUrl } from '../../../server/rtsp/url.js';

describe('option tag', () => {
  const cases: [Record<string, string>, boolean][] = [
    [{ Supported: ANNOUNCE_OPTION_TAG }, true],
    [{ Supported: 'play.basic, ORG.TIDECAST.ANNOUNCE' }, true],
    [{ Require: 'org.tidecast.announce' }, true],
    [{ Supported: 'org.tidecast.announcement' }, false],
    [{ Supported: '' }, false],
    [{ 'Proxy-Require': ANNOUNCE_OPTION_TAG }, false],
    [{}, false],
  ];
  it.each(cases)('%j -> %s', (h, want) => expect(listsOptionTag(new RtspHeaders(h))).toBe(want));
});

describe('ServerOutbox', () => {
  it('numbers its requests from 1, apart from the client, and matches the answers by CSeq', () => {
    const out = new ServerOutbox();
    const parser = new RtspParser();
    const first = parser.push(out.build('REDIRECT', 'rtsp://a/x', { Session: 's1', Location: 'rtsp://b/x' }));
    const second = parser.push(out.build('ANNOUNCE', 'rtsp://a/x', { 'Content-Type': 'application/sdp' }, new TextEncoder().encode('v=0\r\n')));
    expect(first[0]).toMatchObject({ type: 'request', message: { method: 'REDIRECT', uri: 'rtsp://a/x' } });
    expect(first[0]!.type === 'request' && first[0]!.message.headers.get('CSeq')).toBe('1');
    expect(second[0]!.type === 'request' && second[0]!.message.headers.get('CSeq')).toBe('2');
    // The client's answers, parsed as responses on the server's connection.
    const answers = parser.push(new TextEncoder().encode('RTSP/1.0 501 Not Implemented\r\nCSeq: 2\r\n\r\nRTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\nRTSP/1.0 200 OK\r\nCSeq: 9\r\n\r\nRTSP/1.0 200 OK\r\n\r\n'));
    const matched = answers.map((a) => (a.type === 'response' ? out.answer(a.message)?.method : 'not a response'));
    expect(matched).toEqual(['ANNOUNCE', 'REDIRECT', undefined, undefined]);
    expect(out.answers).toEqual([{ method: 'ANNOUNCE', status: 501 }, { method: 'REDIRECT', status: 200 }]);
  });

  it('forgets the oldest unanswered request past its bound', () => {
    const out = new ServerOutbox();
    for (let i = 0; i < 20; i++) out.build('REDIRECT', 'rtsp://a/x', {});
    const res = (cseq: number) => ({ version: 'RTSP/1.0', status: 200, reason: 'OK', headers: new RtspHeaders({ CSeq: String(cseq) }), body: new Uint8Array(0) });
    expect(out.answer(res(1))).toBeUndefined();
    expect(out.answer(res(20))?.cseq).toBe(20);
  });
});

describe('REDIRECT headers', () => {
  it('Range: clock= is the UTC time now, RFC 2326 §3.7 form', () => {
    expect(clockNow(new Date(Date.UTC(1996, 1, 13, 14, 32, 5, 250)))).toBe('clock=19960213T143205Z-');
  });
  it.each([
    ['http://b:8888', 'ws://b:8888/rtsp'],
    ['https://b.example/', 'wss://b.example/rtsp'],
    ['rtsp://b:8554', undefined],
    [undefined, undefined],
  ])('webSocketLocation(%s) = %s', (base, want) => expect(webSocketLocation(base)).toBe(want));
  it.each([
    ['rtsp://a:8554/cam/trackID=1', 1, 'rtsp://a:8554/cam'],
    ['rtsp://a:8554/cam/', undefined, 'rtsp://a:8554/cam'],
    ['rtsp://a/live/cam/streamid=0', 0, 'rtsp://a/live/cam'],
    ['rtsp://a/live/cam', undefined, 'rtsp://a/live/cam'],
  ])('aggregateUrl(%s, %s) = %s', (base, track, want) => expect(aggregateUrl(base, track)).toBe(want));
});
