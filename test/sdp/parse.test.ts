// parseSdpTracks: publishers' real ANNOUNCE SDPs, round trips through buildSdp, refusals, and a fuzz loop.
//
// fixtures/*.sdp are the ANNOUNCE bodies captured (byte for byte, CRLF) from a listener that
// answered OPTIONS and printed the body: ffmpeg 5.1 (`ffmpeg -re -i media/sample.mp4 -c copy -f rtsp
// rtsp://...`, the .mkv for Opus, lavfi + libx265/pcm_mulaw/pcm_alaw/libvpx for the others) and
// GStreamer 1.22 rtspclientsink (`videotestsrc ! x264enc tune=zerolatency`/`x265enc` on sink_0,
// `audiotestsrc ! opusenc`/`avenc_aac`/`mulawenc`/`alawenc` on sink_1).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Track } from '../../server/media/track.js';
import { buildSdp } from '../../server/sdp/describe.js';
import { fmtpFor, rtpMapFor } from '../../server/sdp/fmtp.js';
import { h264Dimensions, parseFmtpParams, parseSdpTracks, SdpError } from '../../server/sdp/parse.js';
import { base64Decode } from '../../server/sdp/base64.js';
import { prng } from '../helpers/prng.js';

const randInt = (rnd: () => number, n: number): number => Math.floor(rnd() * n);

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const FIXTURES = [
  'ffmpeg-h264-aac.sdp',
  'ffmpeg-h264-opus.sdp',
  'ffmpeg-h265-pcmu.sdp',
  'ffmpeg-pcma.sdp',
  'gst-h264.sdp',
  'gst-h264-opus.sdp',
  'gst-h264-pcmu.sdp',
  'gst-h265-pcma.sdp',
];
/** codec/clockRate[/channels] pt WxH for each track: the part of a track a table can show. */
const summary = (t: Track): string =>
  `${t.codec}/${t.clockRate}${t.channels ? '/' + t.channels : ''} pt${t.payloadType}${t.width ? ` ${t.width}x${t.height}` : ''}`;

describe('parseSdpTracks on captured publisher SDPs', () => {
  const table: [string, string[], string[], string][] = [
    ['ffmpeg-h264-aac.sdp', ['H264/90000 pt96 640x360', 'AAC/48000/2 pt97'], ['streamid=0', 'streamid=1'], 'No Name'],
    ['ffmpeg-h264-opus.sdp', ['H264/90000 pt96 640x360', 'OPUS/48000/2 pt97'], ['streamid=0', 'streamid=1'], 'No Name'],
    ['ffmpeg-h265-pcmu.sdp', ['H265/90000 pt96 320x240', 'PCMU/8000/1 pt0'], ['streamid=0', 'streamid=1'], 'No Name'],
    ['ffmpeg-pcma.sdp', ['PCMA/8000/1 pt8'], ['streamid=0'], 'No Name'],
    ['gst-h264.sdp', ['H264/90000 pt96 320x240'], ['stream=0'], 'Session streamed with GStreamer'],
    // rtspclientsink lists audio (sink_1) first: media order and control numbers differ.
    ['gst-h264-opus.sdp', ['OPUS/48000/1 pt96', 'H264/90000 pt99 320x240'], ['stream=1', 'stream=0'], 'Session streamed with GStreamer'],
    ['gst-h264-pcmu.sdp', ['PCMU/8000/1 pt0', 'H264/90000 pt98 320x240'], ['stream=1', 'stream=0'], 'Session streamed with GStreamer'],
    ['gst-h265-pcma.sdp', ['PCMA/8000/1 pt8', 'H265/90000 pt98 320x240'], ['stream=1', 'stream=0'], 'Session streamed with GStreamer'],
  ];
  for (const [file, tracks, controls, name] of table) {
    it(file, () => {
      const p = parseSdpTracks(fixture(file));
      expect(p.tracks.map(summary)).toEqual(tracks);
      expect(p.tracks.map((t) => t.id)).toEqual(tracks.map((_, i) => i));
      expect(p.controls).toEqual(controls);
      expect(p.name).toBe(name);
      expect(p.sessionControl).toBeUndefined();
    });
  }

  it('decodes ffmpeg H.264 parameter sets and the AAC AudioSpecificConfig, and keeps fmtp verbatim', () => {
    const [v, a] = parseSdpTracks(fixture('ffmpeg-h264-aac.sdp')).tracks;
    expect(v!.h264!.sps).toEqual([base64Decode('Z2QAHqzRAKAv+XARAAADAAEAAAMAPA8WLRI=')]);
    expect(v!.h264!.pps).toEqual([base64Decode('aOvssiw=')]);
    expect(v!.sdp).toEqual({
      rtpmap: { codec: 'H264', rate: 90000 },
      fmtp: 'packetization-mode=1; sprop-parameter-sets=Z2QAHqzRAKAv+XARAAADAAEAAAMAPA8WLRI=,aOvssiw=; profile-level-id=64001E',
    });
    expect(a!.aac!.asc).toEqual(Uint8Array.of(0x11, 0x90, 0x56, 0xe5, 0x00));
    expect(a).toMatchObject({ sampleRate: 48000, channels: 2 });
    // Re-described exactly as the publisher wrote them.
    expect(rtpMapFor(a!)).toEqual({ payload: 97, codec: 'MPEG4-GENERIC', rate: 48000, encoding: 2 });
    expect(fmtpFor(a!)).toBe('profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3; config=119056E500');
  });

  it('decodes H.265 VPS/SPS/PPS (GStreamer) and synthesizes the static rtpmap ffmpeg omits', () => {
    const p = parseSdpTracks(fixture('gst-h265-pcma.sdp'));
    const h = p.tracks[1]!.h265!;
    expect([h.vps.length, h.sps.length, h.pps.length]).toEqual([1, 1, 1]);
    expect((h.sps[0]![0]! >>> 1) & 0x3f).toBe(33);
    const pcmu = parseSdpTracks(fixture('ffmpeg-h265-pcmu.sdp')).tracks[1]!;
    expect(pcmu.sdp).toEqual({ rtpmap: { codec: 'PCMU', rate: 8000 } });
  });

  it('every captured SDP survives describe -> parse unchanged', () => {
    for (const file of FIXTURES) {
      const first = parseSdpTracks(fixture(file));
      const again = parseSdpTracks(buildSdp({ tracks: first.tracks, sessionName: 'x', serverAddress: '127.0.0.1' }));
      expect(again.tracks, file).toEqual(first.tracks);
    }
  });

  it('carries VP8 (ffmpeg)', () => {
    // ffmpeg's VP8 publish (RFC 7741) is carried now.
    expect(parseSdpTracks(fixture('ffmpeg-vp8.sdp')).tracks[0]).toMatchObject({ codec: 'VP8', kind: 'video', clockRate: 90000 });
  });

  it("GStreamer's rtspclientsink AAC (MP4A-LATM, RFC 6416) is AAC read as LATM", () => {
    const audio = parseSdpTracks(fixture('gst-h264-aac-latm.sdp')).tracks.find((t) => t.kind === 'audio')!;
    expect(audio).toMatchObject({ codec: 'AAC', sampleRate: 44100, channels: 1 });
    expect(audio.aac?.latm).toEqual({ cpresent: false });
    expect(Buffer.from(audio.aac!.asc).toString('hex')).toMatch(/^1208/);
  });
});

// Real parameter sets (ffmpeg's sample.mp4 and GStreamer's x265enc), so dimensions come from the SPS.
const h264Sps = base64Decode('Z2QAHqzRAKAv+XARAAADAAEAAAMAPA8WLRI=');
const h264Pps = base64Decode('aOvssiw=');
const h265 = {
  vps: [base64Decode('QAEMAf//BAgAAAMAnggAAAMAAD+SgJA=')],
  sps: [base64Decode('QgEBBAgAAAMAnggAAAMAAD+QAUEB4sslSSZX/4AAgAC1BgYGBAAAAwAEAAADAHgg')],
  pps: [base64Decode('RAHBcoYMRiQ=')],
};
const ROUND_TRIP: Track[] = [
  { id: 0, kind: 'video', codec: 'H264', clockRate: 90000, payloadType: 96, width: 640, height: 360, h264: { sps: [h264Sps], pps: [h264Pps] } },
  { id: 1, kind: 'video', codec: 'H265', clockRate: 90000, payloadType: 97, width: 320, height: 240, h265 },
  { id: 2, kind: 'audio', codec: 'AAC', clockRate: 48000, channels: 2, sampleRate: 48000, payloadType: 98, aac: { asc: Uint8Array.of(0x11, 0x90) } },
  { id: 3, kind: 'audio', codec: 'AAC', clockRate: 44100, channels: 1, sampleRate: 44100, payloadType: 99, aac: { asc: Uint8Array.of(0x12, 0x08) } },
  { id: 4, kind: 'audio', codec: 'OPUS', clockRate: 48000, channels: 2, sampleRate: 48000, payloadType: 100 },
  { id: 5, kind: 'audio', codec: 'OPUS', clockRate: 48000, channels: 1, sampleRate: 48000, payloadType: 101 },
  { id: 6, kind: 'audio', codec: 'PCMU', clockRate: 8000, channels: 1, sampleRate: 8000, payloadType: 0 },
  { id: 7, kind: 'audio', codec: 'PCMA', clockRate: 8000, channels: 1, sampleRate: 8000, payloadType: 8 },
];
const withoutSdp = (t: Track): Track => {
  const { sdp: _sdp, ...rest } = t;
  return rest;
};

describe('round trip: parseSdpTracks(buildSdp(tracks))', () => {
  for (const track of ROUND_TRIP) {
    it(`${track.codec} pt ${track.payloadType}`, () => {
      const solo = { ...track, id: 0 };
      const text = buildSdp({ tracks: [solo], sessionName: 'cam/1', serverAddress: '127.0.0.1' });
      const p = parseSdpTracks(text);
      expect(p.tracks.map(withoutSdp)).toEqual([solo]);
      expect(p.controls).toEqual(['trackID=0']);
      expect(p.sessionControl).toBe('*');
      expect(p.name).toBe('cam/1');
      // Describing the parsed track (verbatim rtpmap/fmtp) gives the same SDP again.
      expect(buildSdp({ tracks: p.tracks, sessionName: 'cam/1', serverAddress: '127.0.0.1' })).toBe(text);
    });
  }
  it('all codecs in one SDP', () => {
    const p = parseSdpTracks(buildSdp({ tracks: ROUND_TRIP, sessionName: 's', serverAddress: '::1', duration: 3 }));
    expect(p.tracks.map(withoutSdp)).toEqual(ROUND_TRIP);
    expect(p.controls).toEqual(ROUND_TRIP.map((t) => `trackID=${t.id}`));
  });
});

describe('fmtp.ts with a publisher track', () => {
  const base = parseSdpTracks(fixture('gst-h264.sdp')).tracks[0]!;
  it('keeps the publisher rtpmap and fmtp, parameters we do not model included', () => {
    expect(fmtpFor(base)).toMatch(/level-asymmetry-allowed=1$/);
    expect(rtpMapFor(base)).toEqual({ payload: 96, codec: 'H264', rate: 90000 });
  });
  it('describes parameter sets learnt in-band when the publisher fmtp has none', () => {
    const inBand: Track = { ...base, sdp: { rtpmap: { codec: 'H264', rate: 90000 }, fmtp: 'packetization-mode=1' } };
    expect(fmtpFor(inBand)).toMatch(/^packetization-mode=1;profile-level-id=f4000d;sprop-parameter-sets=/);
    // None learnt yet: the publisher's own fmtp (sprop-parameter-sets is optional, RFC 6184 §8.1).
    const noConfig: Track = { ...inBand, h264: undefined };
    expect(fmtpFor(noConfig)).toBe('packetization-mode=1');
    expect(fmtpFor({ ...inBand, h264: { sps: inBand.h264!.sps, pps: [] } })).toBe('packetization-mode=1');
    const file: Track = { ...noConfig, sdp: undefined };
    expect(() => fmtpFor(file)).toThrow(/without SPS\/PPS/);
  });
});

const sdp = (...lines: string[]): string => ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=x', 't=0 0', ...lines].join('\r\n') + '\r\n';
const H264 = ['m=video 0 RTP/AVP 96', 'a=rtpmap:96 H264/90000', 'a=control:trackID=0'];
const PCMU = ['m=audio 0 RTP/AVP 0', 'a=control:trackID=1'];
const aac = (fmtp: string) => ['m=audio 0 RTP/AVP 97', 'a=rtpmap:97 MPEG4-GENERIC/48000/2', `a=fmtp:97 ${fmtp}`];
const HBR = 'mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3';

describe('G.722, LPCM, JPEG and KLV: static payload types with or without rtpmap, dynamic ones, m=application', () => {
  it.each<[string, string[], Record<string, unknown>]>([
    ['G.722 static PT 9, no rtpmap (ffmpeg)', ['m=audio 0 RTP/AVP 9'], { codec: 'G722', kind: 'audio', clockRate: 8000, sampleRate: 16000, channels: 1 }],
    ['G.722 with rtpmap', ['m=audio 0 RTP/AVP 9', 'a=rtpmap:9 G722/8000'], { codec: 'G722', clockRate: 8000, sampleRate: 16000 }],
    ['L16 static PT 10 (44.1 kHz stereo)', ['m=audio 0 RTP/AVP 10'], { codec: 'L16', clockRate: 44100, channels: 2, sampleRate: 44100 }],
    ['L16 static PT 11 (44.1 kHz mono)', ['m=audio 0 RTP/AVP 11', 'a=rtpmap:11 L16/44100'], { codec: 'L16', clockRate: 44100, channels: 1 }],
    ['L16 dynamic', ['m=audio 0 RTP/AVP 97', 'a=rtpmap:97 L16/16000'], { codec: 'L16', clockRate: 16000, channels: 1, payloadType: 97 }],
    ['L24 dynamic stereo', ['m=audio 0 RTP/AVP 98', 'a=rtpmap:98 L24/48000/2'], { codec: 'L24', clockRate: 48000, channels: 2, sampleRate: 48000 }],
    ['JPEG static PT 26, no rtpmap', ['m=video 0 RTP/AVP 26'], { codec: 'MJPEG', kind: 'video', clockRate: 90000, payloadType: 26 }],
    ['JPEG with rtpmap', ['m=video 0 RTP/AVP 26', 'a=rtpmap:26 JPEG/90000'], { codec: 'MJPEG', clockRate: 90000 }],
    ['KLV (GStreamer rtpklvpay)', ['m=application 0 RTP/AVP 96', 'a=rtpmap:96 SMPTE336M/90000'], { codec: 'KLV', kind: 'application', clockRate: 90000 }],
  ])('%s', (_, lines, expected) => {
    const [t] = parseSdpTracks(sdp(...lines)).tracks;
    expect(t).toMatchObject(expected);
  });
});

describe('parseSdpTracks errors', () => {
  const table: [string, string, RegExp | string, 'invalid' | 'unsupported'][] = [
    ['empty', '', /not an SDP/, 'invalid'],
    ['not SDP', 'RTSP/1.0 200 OK\r\n', /not an SDP/, 'invalid'],
    ['no media', sdp(), /no m= lines/, 'invalid'],
    ['dynamic PT without rtpmap', sdp('m=video 0 RTP/AVP 96'), 'media 0: dynamic payload type 96 has no a=rtpmap (RFC 4566 §6)', 'invalid'],
    [
      'MPEG-4 Visual in the third medium',
      sdp(...H264, ...PCMU, 'm=video 0 RTP/AVP 98', 'a=rtpmap:98 MP4V-ES/90000', 'a=control:trackID=2'),
      /^media 2: codec MP4V-ES is not supported; supported: H264, H265, VP8, VP9, AV1, MPEG4-GENERIC and MP4A-LATM \(AAC\)/,
      'unsupported',
    ],
    ['static G.728', sdp('m=audio 0 RTP/AVP 15'), /media 0: codec G728 is not supported/, 'unsupported'],
    ['application medium other than KLV', sdp('m=application 0 RTP/AVP 107', 'a=rtpmap:107 vnd.onvif.metadata/90000'), /codec vnd.onvif.metadata is not supported; .*smpte336m \(KLV\)/, 'unsupported'],
    ['message medium', sdp('m=message 0 RTP/AVP 98', 'a=rtpmap:98 t140/1000'), /media type "message" is not supported; only audio, video, application \(KLV\) and text \(T.140\)/, 'unsupported'],
    ['T.140 in m=application', sdp('m=application 0 RTP/AVP 98', 'a=rtpmap:98 t140/1000'), /t140 cannot be carried in m=application/, 'invalid'],
    ['KLV in m=video', sdp('m=video 0 RTP/AVP 97', 'a=rtpmap:97 smpte336m/1000'), /smpte336m cannot be carried in m=video/, 'invalid'],
    ['SRTP over DCCP', sdp('m=video 0 RTP/SAVP/DCCP 96', 'a=rtpmap:96 H264/90000'), /protocol "RTP\/SAVP\/DCCP" is not supported; use RTP\/AVP \(or RTP\/SAVP over RTSPS\)/, 'unsupported'],
    ['payload not a number', sdp('m=video 0 RTP/AVP x'), /payload type "x"/, 'invalid'],
    ['payload > 127', sdp('m=video 0 RTP/AVP 300'), /payload type "300"/, 'invalid'],
    ['rtpmap without rate', sdp('m=video 0 RTP/AVP 96', 'a=rtpmap:96 H264'), /H264 has no valid clock rate/, 'invalid'],
    ['video codec in audio', sdp('m=audio 0 RTP/AVP 96', 'a=rtpmap:96 H264/90000'), /H264 cannot be carried in m=audio/, 'invalid'],
    ['H.264 interleaved', sdp(...H264, 'a=fmtp:96 packetization-mode=2'), /packetization-mode=2 is not supported/, 'unsupported'],
    ['H.264 bad base64', sdp(...H264, 'a=fmtp:96 sprop-parameter-sets=Z2Q$,aOv='), /sprop-parameter-sets is not valid base64/, 'invalid'],
    ['H.265 DONL', sdp('m=video 0 RTP/AVP 96', 'a=rtpmap:96 H265/90000', 'a=fmtp:96 sprop-max-don-diff=2'), /DONL/, 'unsupported'],
    ['AAC without config', sdp(...aac(HBR)), /MPEG4-GENERIC needs config=/, 'invalid'],
    ['AAC odd hex', sdp(...aac(`${HBR};config=119`)), /needs config=.*got "119"/, 'invalid'],
    ['AAC reserved rate', sdp(...aac(`${HBR};config=1688`)), /config=1688: AudioSpecificConfig sampling frequency index 13 is reserved/, 'invalid'],
    ['AAC-lbr', sdp(...aac('mode=AAC-lbr;sizelength=6;indexlength=2;indexdeltalength=2;config=1190')), /mode=AAC-lbr and size\/index\/delta lengths 6\/2\/2/, 'unsupported'],
    ['two media, no controls', sdp('m=audio 0 RTP/AVP 0', 'm=audio 0 RTP/AVP 8'), /media 0: no a=control; with several media/, 'invalid'],
    ['same control twice', sdp(...H264, 'm=audio 0 RTP/AVP 0', 'a=control:trackID=0'), /media 1: a=control:trackID=0 is the same as media 0's/, 'invalid'],
  ];
  for (const [name, text, message, reason] of table) {
    it(name, () => {
      let err: unknown;
      try {
        parseSdpTracks(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SdpError);
      if (typeof message === 'string') expect((err as SdpError).message).toBe(message);
      else expect((err as SdpError).message).toMatch(message);
      expect((err as SdpError).reason).toBe(reason);
      expect((err as SdpError).name).toBe('SdpError');
    });
  }

  it('reads RTP/SAVP media and their a=key-mgmt:mikey, the session-level one for a medium without its own (RFC 4567 §3.1)', () => {
    const text = sdp('a=key-mgmt:mikey U0VTU0lPTg==', 'm=video 0 RTP/SAVP 96', 'a=rtpmap:96 H264/90000', 'a=key-mgmt:mikey VklERU8=', 'a=control:trackID=0', ...PCMU);
    const r = parseSdpTracks(text);
    expect(r.srtp).toEqual([true, false]);
    expect(r.keyMgmt).toEqual(['VklERU8=', 'U0VTU0lPTg==']);
    expect(parseSdpTracks(sdp(...H264)).keyMgmt).toEqual([undefined]);
  });

  it('accepts a lone medium without a=control (set up at the session URL), and LF line ends', () => {
    const p = parseSdpTracks('v=0\ns=\nm=audio 5000 RTP/AVP 8\n');
    expect(p.controls).toEqual(['']);
    expect(p.tracks[0]).toMatchObject({ codec: 'PCMA', clockRate: 8000, payloadType: 8 });
  });

  it('takes the first of several payload types and matches rtpmap names case-insensitively', () => {
    const p = parseSdpTracks(sdp('m=audio 0 RTP/AVP 111 0', 'a=rtpmap:111 OPUS/48000/2', 'a=rtpmap:0 PCMU/8000'));
    expect(p.tracks[0]).toMatchObject({ codec: 'OPUS', payloadType: 111, channels: 1 });
  });
});

describe('helpers', () => {
  it('parseFmtpParams: lower-case names, values as text, spaces after ";" tolerated', () => {
    expect([...parseFmtpParams('Packetization-Mode=1;  config=0011; flag; x=a=b')]).toEqual([
      ['packetization-mode', '1'],
      ['config', '0011'],
      ['flag', ''],
      ['x', 'a=b'],
    ]);
  });
  it('h264Dimensions: cropping, and undefined for garbage', () => {
    expect(h264Dimensions(h264Sps)).toEqual({ width: 640, height: 360 });
    expect(h264Dimensions(Uint8Array.of(0x67))).toBeUndefined();
    expect(h264Dimensions(Uint8Array.of(0x67, 0x42, 0, 0x1e, 0, 0, 0, 0))).toBeUndefined();
  });
});

describe('parseSdpTracks fuzz', () => {
  const VOCAB = ['', '0', '8', '96', '127', '128', '-1', 'x', '99999999999999', '=', ';', ',', '/', ':', ' ', 'H264', 'H265/90000', 'MPEG4-GENERIC/0/0', 'opus/48000/2', '%', '\u00e9', '\u0000', 'NaN', 'Infinity', '1e5'];
  const LINES = [
    'm=video 0 RTP/AVP 97',
    'm=audio 0 RTP/AVP 0 8 96',
    'm=audio',
    'a=rtpmap:97 H265/90000',
    'a=rtpmap:96 MPEG4-GENERIC/44100/1',
    'a=rtpmap:96',
    'a=fmtp:96 sprop-parameter-sets=@@,==',
    'a=fmtp:97 config=',
    'a=fmtp:96 mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=ffffffffff',
    'a=fmtp:96 sprop-vps=;sprop-sps=QgE=;sprop-pps',
    'a=control:',
    'a=control:trackID=0',
    'a=x-dimensions:99999999,-4',
    'v=1',
    'c=IN IP4',
  ];
  const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[randInt(rnd, xs.length)]!;

  function mutate(rnd: () => number, text: string): string {
    const lines = text.split(/\r?\n/);
    const ops = 1 + randInt(rnd, 5);
    for (let k = 0; k < ops; k++) {
      const i = randInt(rnd, lines.length);
      const line = lines[i] ?? '';
      switch (randInt(rnd, 7)) {
        case 0:
          lines.splice(i, 1);
          break;
        case 1:
          lines.splice(i, 0, line);
          break;
        case 2:
          lines.splice(i, 0, pick(rnd, LINES));
          break;
        case 3: {
          // Replace one value (after ':', '=', '/', ' ' or ';') with a token.
          const cuts = [...line.matchAll(/[:=/ ;,]/g)].map((m) => m.index! + 1);
          if (cuts.length === 0) break;
          const at = pick(rnd, cuts);
          const end = line.slice(at).search(/[:=/ ;,]|$/) + at;
          lines[i] = line.slice(0, at) + pick(rnd, VOCAB) + line.slice(end);
          break;
        }
        case 4:
          lines[i] = line.slice(0, randInt(rnd, line.length + 1));
          break;
        case 5: {
          const p = randInt(rnd, line.length + 1);
          lines[i] = line.slice(0, p) + String.fromCharCode(randInt(rnd, 0x3000)) + line.slice(p + 1);
          break;
        }
        default: {
          const j = randInt(rnd, lines.length);
          [lines[i], lines[j]] = [lines[j]!, line];
        }
      }
    }
    return lines.join(rnd() < 0.5 ? '\r\n' : '\n');
  }

  it('5 000 mutated SDPs: each parses to sane tracks or throws SdpError, nothing else', () => {
    const rnd = prng(20240611);
    const bases = [...FIXTURES, 'ffmpeg-vp8.sdp', 'gst-h264-aac-latm.sdp'].map(fixture);
    bases.push(buildSdp({ tracks: ROUND_TRIP, sessionName: 'all', serverAddress: '127.0.0.1' }));
    let parsed = 0;
    for (let n = 0; n < 5000; n++) {
      const text = mutate(rnd, pick(rnd, bases));
      let result;
      try {
        result = parseSdpTracks(text);
      } catch (e) {
        if (!(e instanceof SdpError)) throw new Error(`case ${n} threw ${String(e)} for:\n${text}`);
        continue;
      }
      parsed++;
      expect(result.tracks.length).toBeGreaterThan(0);
      expect(result.controls).toHaveLength(result.tracks.length);
      for (const t of result.tracks) {
        expect(t.payloadType >= 0 && t.payloadType <= 127 && t.clockRate > 0).toBe(true);
        expect(['H264', 'H265', 'VP8', 'VP9', 'AV1', 'MJPEG', 'AAC', 'OPUS', 'PCMU', 'PCMA', 'MPA', 'AC3', 'G722', 'L16', 'L24', 'KLV', 'T140']).toContain(t.codec);
      }
    }
    // The loop must exercise both outcomes, not just refusals.
    expect(parsed).toBeGreaterThan(500);
    expect(parsed).toBeLessThan(4900);
  });
});
