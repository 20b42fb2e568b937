// What the relay's client takes from a server's requests: ANNOUNCE with an SDP, REDIRECT with a Location; the rest refused.
import { describe, expect, it } from 'vitest';
import { RtspHeaders } from '../../../server/rtsp/headers-map.js';
import { readServerRequest } from '../../../server/sources/relay/server-requests.js';

const req = (method: string, headers: Record<string, string>, body = '') => ({ method, uri: 'rtsp://a/x', version: 'RTSP/1.0', headers: new RtspHeaders(headers), body: new TextEncoder().encode(body) });
const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=audio 0 RTP/AVP 97\r\n';

describe('readServerRequest', () => {
  it.each([
    ['ANNOUNCE', { 'Content-Type': 'application/sdp' }, SDP, 'announce'],
    ['ANNOUNCE', { 'Content-Type': 'text/plain' }, SDP, 400],
    ['ANNOUNCE', { 'Content-Type': 'application/sdp' }, 'v=0\r\n', 400],
    ['REDIRECT', { Location: ' rtsp://b:8554/x ', Range: 'clock=19960213T143205Z-' }, '', 'redirect'],
    ['REDIRECT', {}, '', 400],
    ['SET_PARAMETER', {}, '', 501],
    ['OPTIONS', {}, '', 501],
  ] as const)('%s %j -> %s', (method, headers, body, want) => {
    const r = readServerRequest(req(method, headers, body));
    if (typeof want === 'number') expect(r).toEqual({ refuse: want });
    else expect(r).toMatchObject({ kind: want });
  });

  it('REDIRECT gives the Location trimmed and the Range raw', () => {
    expect(readServerRequest(req('REDIRECT', { Location: ' rtsp://b:8554/x ', Range: 'clock=19960213T143205Z-' }))).toEqual({ kind: 'redirect', location: 'rtsp://b:8554/x', range: 'clock=19960213T143205Z-' });
  });
});
