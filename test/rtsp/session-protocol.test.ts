// The protocol an RTSP session shows in the API: the tunnel first, else TLS and the first track's lower transport.
import { describe, expect, it } from 'vitest';
import { sessionProtocol } from '../../server/rtsp/session-client.js';
import type { RtspSession, TrackTransport } from '../../server/rtsp/session.js';

const udp: TrackTransport = { kind: 'udp', address: '127.0.0.1', rtpPort: 5000, rtcpPort: 5001 };
const tcp: TrackTransport = { kind: 'tcp', rtpChannel: 0, rtcpChannel: 1 };
const mc: TrackTransport = { kind: 'multicast', group: '239.1.1.1', rtpPort: 5000, rtcpPort: 5001, ttl: 1 };

function session(transport: TrackTransport | undefined, conn: { tunnel?: 'websocket' | 'http'; secure?: boolean }): RtspSession {
  const tracks = new Map(transport ? [[0, { trackId: 0, transport, controlUrl: '' }]] : []);
  return { tracks, connection: conn } as unknown as RtspSession;
}

describe('sessionProtocol', () => {
  const table: [TrackTransport | undefined, { tunnel?: 'websocket' | 'http'; secure?: boolean }, string][] = [
    [undefined, {}, 'rtsp'],
    [undefined, { tunnel: 'websocket' }, 'rtsp'],
    [udp, {}, 'rtsp-udp'],
    [tcp, {}, 'rtsp-tcp'],
    [mc, {}, 'rtsp-multicast'],
    [mc, { secure: true }, 'rtsp-multicast'],
    [udp, { secure: true }, 'rtsps-udp'],
    [tcp, { secure: true }, 'rtsps-tcp'],
    [tcp, { tunnel: 'websocket' }, 'rtsp-ws'],
    [tcp, { tunnel: 'websocket', secure: true }, 'rtsp-ws'],
    [tcp, { tunnel: 'http' }, 'rtsp-http'],
  ];
  for (const [t, conn, want] of table) {
    it(`${t?.kind ?? 'no track'} ${JSON.stringify(conn)} -> ${want}`, () => {
      expect(sessionProtocol(session(t, conn))).toBe(want);
    });
  }
});
