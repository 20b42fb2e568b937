// The descriptions GET /<path>.sdp gives: a plain multicast SDP (groups, ports, TTL per medium) and the RTSP one with absolute controls.
import sdpTransform from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import type { Track } from '../../server/media/track.js';
import { buildSdp } from '../../server/sdp/describe.js';
import { buildMulticastSdp, pathSessionId } from '../../server/sdp/multicast-sdp.js';

const tracks: Track[] = [
  { id: 0, kind: 'video', codec: 'H264', clockRate: 90000, payloadType: 96, width: 640, height: 360, h264: { sps: [Uint8Array.of(0x67, 0x64, 0, 0x1e)], pps: [Uint8Array.of(0x68, 0xeb)] } },
  { id: 1, kind: 'audio', codec: 'AAC', clockRate: 48000, channels: 2, payloadType: 97, aac: { asc: Uint8Array.of(0x11, 0x90) } },
];

describe('buildMulticastSdp', () => {
  const text = buildMulticastSdp({ tracks, groups: ['239.255.0.1', '239.255.0.2'], rtpPort: 8002, ttl: 16, sessionName: 'cams/door', origin: '192.0.2.7', sessionId: pathSessionId('cams/door'), sessionVersion: 3, rtspUrl: 'rtsp://cam.example:8554/cams/door' });
  const sdp = sdpTransform.parse(text);

  it('gives each medium its group with the TTL (RFC 4566 §5.7) and the group port', () => {
    expect(sdp.media.map((m) => [m.type, m.port, m.protocol, m.connection?.ip])).toEqual([
      ['video', 8002, 'RTP/AVP', '239.255.0.1/16'],
      ['audio', 8002, 'RTP/AVP', '239.255.0.2/16'],
    ]);
  });

  it('carries the codec parameters a receiver needs without RTSP', () => {
    expect(sdp.media[0]!.fmtp[0]!.config).toMatch(/sprop-parameter-sets=Z2QAHg==,aOs=/);
    expect(sdp.media[1]!.rtp[0]).toMatchObject({ codec: 'MPEG4-GENERIC', rate: 48000, encoding: 2 });
  });

  it('names the session, its version and origin, and the RTSP URL for people', () => {
    expect(sdp.origin).toMatchObject({ sessionId: pathSessionId('cams/door'), sessionVersion: 3, address: '192.0.2.7' });
    expect(sdp.name).toBe('cams/door');
    expect(sdp.uri).toBe('rtsp://cam.example:8554/cams/door');
    expect(sdp.direction).toBe('recvonly');
    // No control attributes: nothing to SETUP, the groups are the stream.
    expect(text).not.toMatch(/a=control/);
  });

  it('leaves out a track that has no group', () => {
    const one = sdpTransform.parse(buildMulticastSdp({ tracks, groups: ['239.255.0.1'], rtpPort: 8002, ttl: 1, sessionName: 'x', origin: '127.0.0.1', sessionId: 1, sessionVersion: 1 }));
    expect(one.media.map((m) => m.type)).toEqual(['video']);
  });
});

describe('buildSdp with controlUrl (a description fetched over HTTP)', () => {
  const sdp = sdpTransform.parse(buildSdp({ tracks, sessionName: 'cams/door', serverAddress: '192.0.2.7', sessionId: 9, controlUrl: 'rtsp://cam.example:8554/cams/door' }));
  it('makes session and media controls absolute (RFC 2326 C.1.1)', () => {
    expect(sdp.control).toBe('rtsp://cam.example:8554/cams/door');
    expect(sdp.media.map((m) => m.control)).toEqual(['rtsp://cam.example:8554/cams/door/trackID=0', 'rtsp://cam.example:8554/cams/door/trackID=1']);
    expect(sdp.uri).toBe('rtsp://cam.example:8554/cams/door');
  });
});
