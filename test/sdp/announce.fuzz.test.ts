// Property, SDP as ANNOUNCE gets it: generated publisher SDPs parse or throw SdpError; what parses can always be described back to readers (DESCRIBE never fails) and re-parses to the same tracks; on a real server ANNOUNCE, RECORD and DESCRIBE never answer 500.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSdp } from '../../server/sdp/describe.js';
import { parseSdpTracks, SdpError } from '../../server/sdp/parse.js';
import { fuzz, fuzzAsync } from '../helpers/fuzz.js';
import { bodyText, RawRtspClient } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const SPS = Uint8Array.of(0x67, 0x64, 0x00, 0x1e, 0xac, 0xd1, 0x00, 0xa0, 0x2f, 0xf9, 0x70, 0x11);
const PPS = Uint8Array.of(0x68, 0xeb, 0xec, 0xb2, 0x2c);

/** NAL units for sprop-*: real ones, garbage, empty, or not base64 at all. */
const nals = fc.oneof(
  fc.constant(`${b64(SPS)},${b64(PPS)}`),
  fc.array(fc.uint8Array({ minLength: 1, maxLength: 20 }), { maxLength: 3 }).map((l) => l.map(b64).join(',')),
  fc.constantFrom('', ',', '@@', '====', 'Z2Q'),
);

const fmtpParam = fc.oneof(
  nals.map((v) => `sprop-parameter-sets=${v}`),
  fc.tuple(nals, nals, nals).map(([a, b, c]) => `sprop-vps=${a};sprop-sps=${b};sprop-pps=${c}`),
  fc.constantFrom('packetization-mode=1', 'packetization-mode=2', 'profile-level-id=42e01f', 'sprop-max-don-diff=2', 'mode=AAC-hbr', 'mode=AAC-lbr', 'streamtype=5', 'sprop-stereo=1', 'useinbandfec=1'),
  fc.constantFrom('sizelength=13', 'sizelength=6', 'indexlength=3', 'indexdeltalength=3', 'indexlength=2'),
  fc.oneof(fc.constantFrom('1190', '1210', '', 'zz', '12', 'f8'), fc.uint8Array({ maxLength: 6 }).map((b) => Buffer.from(b).toString('hex'))).map((c) => `config=${c}`),
  fc.string({ maxLength: 10 }),
);

const rtpmap = fc.oneof(
  fc.constantFrom('H264/90000', 'H265/90000', 'MPEG4-GENERIC/48000/2', 'MPEG4-GENERIC/44100/1', 'mpeg4-generic/16000', 'opus/48000/2', 'OPUS/48000', 'PCMU/8000', 'PCMA/8000/2', 'VP8/90000', 'MP4A-LATM/44100/2', 'H264/0', 'opus/48000/0'),
  fc.tuple(fc.constantFrom('H264', 'MPEG4-GENERIC', 'PCMU', 'x'), fc.integer({ min: -1, max: 200000 }), fc.option(fc.integer({ min: -1, max: 100 }))).map(([c, r, e]) => `${c}/${r}${e !== null ? `/${e}` : ''}`),
);

const HBR = 'mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3';

/** A medium a real publisher would send (ffmpeg, GStreamer, cameras), its parameters varied. */
const goodMedia = fc.oneof(
  fc.tuple(nals, fc.boolean()).map(([sets, withSets]) => ({ type: 'video', proto: 'RTP/AVP', pt: 96, rtpmap: 'H264/90000', fmtp: `packetization-mode=1${withSets ? `;sprop-parameter-sets=${sets}` : ''}` })),
  fc.tuple(nals, nals, nals).map(([v, sp, pp]) => ({ type: 'video', proto: 'RTP/AVP', pt: 97, rtpmap: 'H265/90000', fmtp: `sprop-vps=${v};sprop-sps=${sp};sprop-pps=${pp}` })),
  fc.tuple(fc.constantFrom('1190', '1210', '1388', '12', '1408', ''), fc.constantFrom(48000, 44100, 16000, 8000), fc.constantFrom(1, 2, 6)).map(([config, rate, ch]) => ({ type: 'audio', proto: 'RTP/AVP', pt: 97, rtpmap: `MPEG4-GENERIC/${rate}/${ch}`, fmtp: `streamtype=5;profile-level-id=1;${HBR};config=${config}` })),
  fc.boolean().map((stereo) => ({ type: 'audio', proto: 'RTP/AVP', pt: 111, rtpmap: 'opus/48000/2', fmtp: stereo ? 'sprop-stereo=1' : null })),
  fc.constantFrom(0, 8).map((pt) => ({ type: 'audio', proto: 'RTP/AVP', pt, rtpmap: null, fmtp: null })),
).chain((m) => fc.record({ control: fc.constant(''), extra: fc.array(fc.constantFrom('a=recvonly', 'a=x-dimensions:640,360', 'a=framerate:30', 'b=AS:500'), { maxLength: 2 }) }).map((r) => ({ ...m, ...r })));

const anyMedia = fc.record({
  type: fc.constantFrom('video', 'audio', 'audio', 'video', 'application'),
  proto: fc.constantFrom('RTP/AVP', 'RTP/AVP', 'RTP/AVPF', 'RTP/SAVP', 'UDP/TLS/RTP/SAVPF'),
  pt: fc.oneof(fc.constantFrom(96, 97, 0, 8, 127), fc.integer({ min: 0, max: 300 })),
  rtpmap: fc.option(rtpmap, { freq: 6 }),
  fmtp: fc.option(fc.array(fmtpParam, { maxLength: 5 }).map((p) => p.join(';')), { freq: 4 }),
  control: fc.oneof(fc.constantFrom('trackID=0', 'trackID=1', 'streamid=0', 'rtsp://h/x/trackID=2', ''), fc.string({ maxLength: 6 })),
  extra: fc.array(fc.constantFrom('a=recvonly', 'a=x-dimensions:640,360', 'a=x-dimensions:99999999,-4', 'a=framerate:30', 'b=AS:500', 'c=IN IP4 0.0.0.0', 'a=range:npt=0-'), { maxLength: 3 }),
});

const media = fc.oneof({ weight: 3, arbitrary: goodMedia }, { weight: 1, arbitrary: anyMedia });

const sdpText = fc.tuple(fc.array(media, { minLength: 0, maxLength: 4 }), fc.boolean(), fc.constantFrom('\r\n', '\n')).map(([ms, uniqueControls, eol]) => {
  const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=fuzz', 'c=IN IP4 127.0.0.1', 't=0 0', 'a=tool:fuzz'];
  ms.forEach((m, i) => {
    lines.push(`m=${m.type} 0 ${m.proto} ${m.pt}`);
    if (m.rtpmap !== null) lines.push(`a=rtpmap:${m.pt} ${m.rtpmap}`);
    if (m.fmtp !== null) lines.push(`a=fmtp:${m.pt} ${m.fmtp}`);
    lines.push(`a=control:${uniqueControls || m.control === '' ? `trackID=${i}` : m.control}`);
    lines.push(...m.extra);
  });
  return lines.join(eol) + eol;
});

/** The fields a reader's SDP must keep for each track. */
const shape = (t: { codec: string; clockRate: number; channels?: number; payloadType: number }) => ({ codec: t.codec, clockRate: t.clockRate, channels: t.channels, payloadType: t.payloadType });

describe('SDP as ANNOUNCE gets it', () => {
  it('parses or throws SdpError; what parses is always describable, and re-parses to the same tracks', () => {
    let parsed = 0;
    fuzz('SDP parse -> describe -> parse', 31, 5000, fc.property(sdpText, (text) => {
      let r;
      try {
        r = parseSdpTracks(text);
      } catch (e) {
        expect(e).toBeInstanceOf(SdpError);
        return;
      }
      parsed++;
      // What DESCRIBE of the live path will build: it must never throw (it answered 500).
      const described = buildSdp({ tracks: r.tracks, sessionName: 'live/x', serverAddress: '127.0.0.1' });
      expect(parseSdpTracks(described).tracks.map(shape)).toEqual(r.tracks.map(shape));
    }));
    console.log(`${parsed} generated SDPs parsed`);
    expect(parsed).toBeGreaterThan(1000);
  });
});

describe('ANNOUNCE on a real server', () => {
  let srv: TestServer;
  let pub: RawRtspClient;
  let reader: RawRtspClient;
  beforeAll(async () => {
    srv = await startTestServer();
    pub = await RawRtspClient.open(srv.rtspPort);
    reader = await RawRtspClient.open(srv.rtspPort);
  });
  afterAll(async () => {
    pub?.close();
    reader?.close();
    await srv?.close();
  });

  it('ANNOUNCE, SETUP, RECORD and a reader\'s DESCRIBE never answer 500, and the path is let go at TEARDOWN', async () => {
    let n = 0;
    let live = 0;
    await fuzzAsync('ANNOUNCE/RECORD/DESCRIBE on a real server', 32, 300, fc.asyncProperty(sdpText, async (text) => {
      const url = srv.url(`live/fuzz${n++}`);
      const a = await pub.request('ANNOUNCE', url, { 'Content-Type': 'application/sdp' }, text);
      expect(a.status, bodyText(a)).not.toBe(500);
      if (a.status !== 200) {
        expect(a.status).toBeGreaterThanOrEqual(400);
        return;
      }
      const tracks = parseSdpTracks(text).tracks.length;
      let session = '';
      for (let k = 0; k < tracks; k++) {
        const s = await pub.request('SETUP', `${url}/trackID=${k}`, { Transport: `RTP/AVP/TCP;unicast;interleaved=${2 * k}-${2 * k + 1};mode=record`, ...(session ? { Session: session } : {}) });
        expect(s.status, bodyText(s)).not.toBe(500);
        session ||= s.headers.get('Session')?.split(';')[0] ?? '';
      }
      const rec = await pub.request('RECORD', url, session ? { Session: session } : {});
      expect(rec.status, bodyText(rec)).not.toBe(500);
      const d = await reader.request('DESCRIBE', url, { Accept: 'application/sdp' });
      expect(d.status, bodyText(d)).not.toBe(500);
      if (rec.status === 200) {
        live++;
        expect(d.status, bodyText(d)).toBe(200);
      }
      if (session) expect((await pub.request('TEARDOWN', url, { Session: session })).status).toBe(200);
    }));
    console.log(`${live} announced paths went live`);
    expect(live).toBeGreaterThan(60);
    expect(srv.paths.liveStreams()).toHaveLength(0);
  }, 120_000);
});
