// SDP built for each codec, parsed back by sdp-transform, with the fmtp values clients rely on.
import { describe, expect, it } from 'vitest';
import sdpTransform from 'sdp-transform';
import { buildSdp } from '../../server/sdp/describe.js';
import { parseSdpTracks } from '../../server/sdp/parse.js';
import { base64Decode, base64Encode } from '../../server/sdp/base64.js';
import type { Track } from '../../server/media/track.js';

const sps = new Uint8Array([0x67, 0x64, 0x00, 0x1e, 0xac, 0xd1]);
const pps = new Uint8Array([0x68, 0xeb, 0xec, 0xb2]);
const tracks: Track[] = [
  { id: 0, kind: 'video', codec: 'H264', clockRate: 90000, payloadType: 96, width: 640, height: 360, h264: { sps: [sps], pps: [pps] } },
  { id: 1, kind: 'audio', codec: 'AAC', clockRate: 48000, channels: 2, sampleRate: 48000, payloadType: 97, aac: { asc: new Uint8Array([0x11, 0x90]) } },
  { id: 2, kind: 'audio', codec: 'OPUS', clockRate: 48000, channels: 1, payloadType: 98 },
  { id: 3, kind: 'video', codec: 'H265', clockRate: 90000, payloadType: 99, h265: { vps: [new Uint8Array([0x40, 1])], sps: [new Uint8Array([0x42, 1])], pps: [new Uint8Array([0x44, 1])] } },
  { id: 4, kind: 'audio', codec: 'PCMU', clockRate: 8000, channels: 1, payloadType: 0 },
];

describe('buildSdp', () => {
  const text = buildSdp({ tracks, sessionName: 'cam/1', serverAddress: '127.0.0.1', duration: 20.011 });
  const sdp = sdpTransform.parse(text);

  it('writes session-level control, range and tool', () => {
    expect(sdp.control).toBe('*');
    expect(sdp.name).toBe('cam/1');
    expect(text).toMatch(/\r\na=range:npt=0-20\.011\r\n/);
    expect(text).toMatch(/\r\na=tool:Tidecast\r\n/);
    expect(sdp.origin?.address).toBe('127.0.0.1');
  });

  it('gives each medium a relative control and an rtpmap', () => {
    expect(sdp.media.map((m) => [m.control, String(m.payloads), `${m.rtp[0]!.codec}/${m.rtp[0]!.rate}${m.rtp[0]!.encoding ? '/' + m.rtp[0]!.encoding : ''}`])).toEqual([
      ['trackID=0', '96', 'H264/90000'],
      ['trackID=1', '97', 'MPEG4-GENERIC/48000/2'],
      ['trackID=2', '98', 'opus/48000/2'], // RFC 7587: always /2, even for mono
      ['trackID=3', '99', 'H265/90000'],
      ['trackID=4', '0', 'PCMU/8000'],
    ]);
  });

  it('writes H.264 packetization-mode, profile-level-id and sprop-parameter-sets', () => {
    const f = sdpTransform.parseParams(sdp.media[0]!.fmtp[0]!.config);
    expect(f['packetization-mode']).toBe(1);
    expect(String(f['profile-level-id'])).toBe('64001e');
    const sets = String(f['sprop-parameter-sets']).split(',').map(base64Decode);
    expect(sets).toEqual([sps, pps]);
  });

  it('writes the RFC 3640 AAC-hbr parameters with the AudioSpecificConfig in hex', () => {
    const f = sdpTransform.parseParams(sdp.media[1]!.fmtp[0]!.config);
    expect(f).toMatchObject({ mode: 'AAC-hbr', sizelength: 13, indexlength: 3, indexdeltalength: 3 });
    expect(String(f.config)).toBe('1190');
  });

  it('writes H.265 sprop-vps/sps/pps', () => {
    expect(sdp.media[3]!.fmtp[0]!.config).toBe('sprop-vps=QAE=;sprop-sps=QgE=;sprop-pps=RAE=');
  });

  it('refuses to describe H.264 without parameter sets (clients need them)', () => {
    const bad: Track = { ...tracks[0]!, h264: { sps: [], pps: [] } };
    expect(() => buildSdp({ tracks: [bad], sessionName: 'x', serverAddress: '::1' })).toThrow(/without SPS\/PPS/);
  });

  it('marks a live stream with an open range and IPv6 origin', () => {
    const live = buildSdp({ tracks: [tracks[4]!], sessionName: 'live', serverAddress: '::1' });
    expect(live).toMatch(/a=range:npt=0-\r\n/);
    expect(live).toMatch(/o=- 0 1 IN IP6 ::1/);
  });

  it('over RTSPS: every medium RTP/SAVP with its a=key-mgmt:mikey, which the publisher-side parser reads back', () => {
    const keys = tracks.map((t) => base64Encode(new Uint8Array([t.id, 1, 2])));
    const secure = buildSdp({ tracks, sessionName: 'cam/1', serverAddress: '127.0.0.1', keyMgmt: keys });
    const parsed = sdpTransform.parse(secure);
    expect(parsed.media.map((m) => m.protocol)).toEqual(tracks.map(() => 'RTP/SAVP'));
    expect(parsed.media.map((m) => m.invalid?.find((a) => a.value.startsWith('key-mgmt:'))?.value)).toEqual(keys.map((k) => `key-mgmt:mikey ${k}`));
    expect(parseSdpTracks(secure)).toMatchObject({ srtp: tracks.map(() => true), keyMgmt: keys });
    expect(sdp.media.every((m) => m.protocol === 'RTP/AVP' && !m.invalid?.some((a) => a.value.startsWith('key-mgmt')))).toBe(true);
  });
});

describe('base64', () => {
  it('round-trips every length against Node', () => {
    for (let n = 0; n < 40; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      const s = base64Encode(b);
      expect(s).toBe(Buffer.from(b).toString('base64'));
      expect(base64Decode(s)).toEqual(b);
    }
  });
  it('rejects characters outside the alphabet', () => {
    expect(() => base64Decode('ab$c')).toThrow(/invalid base64/);
  });
});
