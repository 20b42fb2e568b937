// RTP-Info header: one table through parse and format, invalid inputs, and a fuzz loop.

import { describe, expect, it } from 'vitest';
import { formatRtpInfo, parseRtpInfo, type RtpInfoHeader } from '../../../server/rtsp/headers/rtp-info.js';
import { catchRtspError, fuzzHeader } from '../fuzz.js';

const cases: { input: string; value: RtpInfoHeader; canonical?: string }[] = [
  // RFC 2326 §12.33 example
  {
    input: 'url=rtsp://foo.com/bar.avi/streamid=0;seq=45102,url=rtsp://foo.com/bar.avi/streamid=1;seq=30211',
    value: [
      { url: 'rtsp://foo.com/bar.avi/streamid=0', seq: 45102 },
      { url: 'rtsp://foo.com/bar.avi/streamid=1', seq: 30211 },
    ],
  },
  {
    input: 'url=rtsp://host/live/trackID=0;seq=1;rtptime=0,url=rtsp://host/live/trackID=1;seq=65535;rtptime=4294967295',
    value: [
      { url: 'rtsp://host/live/trackID=0', seq: 1, rtptime: 0 },
      { url: 'rtsp://host/live/trackID=1', seq: 65535, rtptime: 4294967295 },
    ],
  },
  { input: 'url=rtsp://h/a', value: [{ url: 'rtsp://h/a' }] },
  { input: 'url=rtsp://h/a;rtptime=90000', value: [{ url: 'rtsp://h/a', rtptime: 90000 }] },
  // Spaces after commas and semicolons, as some servers write them
  {
    input: 'url=rtsp://h/a; seq=5; rtptime=7, url=rtsp://h/b;seq=6',
    value: [{ url: 'rtsp://h/a', seq: 5, rtptime: 7 }, { url: 'rtsp://h/b', seq: 6 }],
    canonical: 'url=rtsp://h/a;seq=5;rtptime=7,url=rtsp://h/b;seq=6',
  },
  // RFC 7826 quotes the url and adds ssrc; both tolerated
  { input: 'url="rtsp://h/a";ssrc=0A13B2C4;seq=9', value: [{ url: 'rtsp://h/a', seq: 9 }], canonical: 'url=rtsp://h/a;seq=9' },
  // A comma or a ';' inside a URL stays in the URL
  { input: 'url=rtsp://h/a,b;seq=1', value: [{ url: 'rtsp://h/a,b', seq: 1 }] },
  { input: 'url=rtsp://h/a;x;seq=1', value: [{ url: 'rtsp://h/a;x', seq: 1 }] },
];

const invalid: { input: string; status: number; reason: string }[] = [
  { input: '', status: 400, reason: 'empty' },
  { input: 'seq=1', status: 400, reason: 'each entry must start with url=, got "seq=1"' },
  { input: 'url=', status: 400, reason: 'url is empty' },
  { input: 'url=rtsp://h/a;seq=70000', status: 400, reason: 'seq must be a whole number from 0 to 65535, got "70000"' },
  { input: 'url=rtsp://h/a;seq=-1', status: 400, reason: 'seq must be' },
  { input: 'url=rtsp://h/a;rtptime=4294967296', status: 400, reason: 'rtptime must be a whole number from 0 to 4294967295' },
  { input: 'url=rtsp://h/a b;seq=1', status: 400, reason: 'contains spaces' },
];

describe('RTP-Info', () => {
  it.each(cases)('parses and formats $input', ({ input, value, canonical }) => {
    expect(parseRtpInfo(input)).toEqual(value);
    expect(formatRtpInfo(value)).toBe(canonical ?? input);
    expect(parseRtpInfo(formatRtpInfo(value))).toEqual(value);
  });

  it.each(invalid)('rejects $input', ({ input, status, reason }) => {
    const err = catchRtspError(() => parseRtpInfo(input));
    expect(err.status).toBe(status);
    expect(err.reason).toMatch(/^RTP-Info: /);
    expect(err.reason).toContain(reason);
  });

  it('fuzz: parse returns or throws RtspError, and round-trips', () => {
    expect(fuzzHeader(parseRtpInfo, formatRtpInfo, cases.map((c) => c.input), 16)).toEqual([]);
  });
});
