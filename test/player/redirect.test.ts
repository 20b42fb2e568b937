// Where the player goes on a REDIRECT or 302: the RTSP URL and the other server's WebSocket, both needed.
import { describe, expect, it } from 'vitest';
import { redirectTarget } from '../../player/src/redirect.js';
import { RtspHeaders } from '../../server/rtsp/headers-map.js';

describe('redirectTarget', () => {
  it.each([
    [{ Location: 'rtsp://b:8554/cam', 'X-WebSocket-Location': 'ws://b:8888/rtsp' }, { rtspUrl: 'rtsp://b:8554/cam', wsUrl: 'ws://b:8888/rtsp' }],
    [{ Location: 'rtsp://b:8554/cam', 'x-websocket-location': 'wss://b/rtsp' }, { rtspUrl: 'rtsp://b:8554/cam', wsUrl: 'wss://b/rtsp' }],
    [{ Location: 'rtsp://b:8554/cam' }, undefined],
    [{ Location: 'http://b/cam', 'X-WebSocket-Location': 'ws://b:8888/rtsp' }, undefined],
    [{ Location: 'rtsp://b:8554/cam', 'X-WebSocket-Location': 'javascript:alert(1)' }, undefined],
    [{}, undefined],
  ])('%j', (h, want) => expect(redirectTarget(new RtspHeaders(h))).toEqual(want));
});
