// A server's REDIRECT (RFC 2326 §10.10) or 302 read for the player: where its RTSP URL and its WebSocket go next.
import type { RtspHeaders } from '../../server/rtsp/headers-map.js';

/**
 * Where the player goes on: the RTSP URL (`Location`) and the WebSocket that reaches that server
 * (`X-WebSocket-Location`, which Tidecast adds on WebSocket connections when it knows the other
 * server's HTTP address: docs/drain.md). Undefined when either is missing or not a URL.
 */
export interface RedirectTarget {
  rtspUrl: string;
  wsUrl: string;
}

export const WEBSOCKET_LOCATION = 'X-WebSocket-Location';

export function redirectTarget(headers: RtspHeaders): RedirectTarget | undefined {
  const rtspUrl = headers.get('Location')?.trim();
  const wsUrl = headers.get(WEBSOCKET_LOCATION)?.trim();
  if (!rtspUrl || !wsUrl || !/^rtsps?:\/\/\S+$/i.test(rtspUrl) || !/^wss?:\/\/\S+$/i.test(wsUrl)) return undefined;
  return { rtspUrl, wsUrl };
}

/** An error that carries where to go (a 302 on DESCRIBE): the player starts over there. */
export class RedirectedError extends Error {
  override readonly name = 'RedirectedError';
  constructor(readonly to: RedirectTarget) {
    super(`redirected to ${to.rtspUrl}`);
  }
}
