// Transport header: one table through parse and format, invalid inputs, and a fuzz loop.

import { describe, expect, it } from 'vitest';
import { formatTransport, parseTransport, type TransportHeader } from '../../../server/rtsp/headers/transport.js';
import { catchRtspError, fuzzHeader } from '../fuzz.js';

const t = (h: Partial<TransportHeader>): TransportHeader => ({ protocol: 'RTP/AVP', lowerTransport: 'UDP', extra: [], ...h });

// Each input is one spec; `canonical` is what formatTransport writes when it differs from the input.
const cases: { input: string; value: TransportHeader; canonical?: string }[] = [
  // ffmpeg UDP SETUP
  { input: 'RTP/AVP/UDP;unicast;client_port=5000-5001', value: t({ delivery: 'unicast', clientPort: [5000, 5001] }), canonical: 'RTP/AVP;unicast;client_port=5000-5001' },
  // live555 / VLC
  { input: 'RTP/AVP;unicast;client_port=51234-51235', value: t({ delivery: 'unicast', clientPort: [51234, 51235] }) },
  // A lone port means RTP on it and RTCP on the next.
  { input: 'RTP/AVP;unicast;client_port=5000', value: t({ delivery: 'unicast', clientPort: [5000, 5001] }), canonical: 'RTP/AVP;unicast;client_port=5000-5001' },
  // ffmpeg TCP SETUP and our reply
  { input: 'RTP/AVP/TCP;unicast;interleaved=0-1', value: t({ lowerTransport: 'TCP', delivery: 'unicast', interleaved: [0, 1] }) },
  { input: 'RTP/AVP/TCP;unicast;interleaved=2', value: t({ lowerTransport: 'TCP', delivery: 'unicast', interleaved: [2, 3] }), canonical: 'RTP/AVP/TCP;unicast;interleaved=2-3' },
  // Server reply with source and ssrc (hex, 8 digits)
  {
    input: 'RTP/AVP;unicast;source=192.0.2.1;client_port=5000-5001;server_port=8000-8001;ssrc=0A13B2C4',
    value: t({ delivery: 'unicast', source: '192.0.2.1', clientPort: [5000, 5001], serverPort: [8000, 8001], ssrc: 0x0a13b2c4 }),
  },
  { input: 'RTP/AVP;unicast;ssrc=beef', value: t({ delivery: 'unicast', ssrc: 0xbeef }), canonical: 'RTP/AVP;unicast;ssrc=0000BEEF' },
  { input: 'RTP/AVP;unicast;ssrc=FFFFFFFF', value: t({ delivery: 'unicast', ssrc: 0xffffffff }) },
  // Multicast
  {
    input: 'RTP/AVP;multicast;destination=224.2.0.1;port=3456-3457;ttl=16',
    value: t({ delivery: 'multicast', destination: '224.2.0.1', port: [3456, 3457], ttl: 16 }),
  },
  // RECORD: ffmpeg sends mode=record, RFC 2326 examples quote and upper-case it; "receive" is kept as written.
  { input: 'RTP/AVP/TCP;unicast;interleaved=0-1;mode=record', value: t({ lowerTransport: 'TCP', delivery: 'unicast', interleaved: [0, 1], mode: 'record' }) },
  { input: 'RTP/AVP;unicast;client_port=3456-3457;mode="PLAY"', value: t({ delivery: 'unicast', clientPort: [3456, 3457], mode: 'play' }), canonical: 'RTP/AVP;unicast;client_port=3456-3457;mode=play' },
  { input: 'RTP/AVP;unicast;mode=receive', value: t({ delivery: 'unicast', mode: 'receive' }) },
  { input: 'RTP/AVP;unicast;mode="PLAY,RECORD"', value: t({ delivery: 'unicast', mode: 'play,record' }), canonical: 'RTP/AVP;unicast;mode="play,record"' },
  { input: 'RTP/AVP;multicast;layers=2;append', value: t({ delivery: 'multicast', layers: 2, append: true }) },
  { input: 'RTP/AVP;unicast;destination', value: t({ delivery: 'unicast', destination: '' }) },
  // Case-insensitive names, other profiles, unknown parameters kept in order
  { input: 'rtp/avp/tcp;Unicast;Interleaved=4-5', value: t({ lowerTransport: 'TCP', delivery: 'unicast', interleaved: [4, 5] }), canonical: 'RTP/AVP/TCP;unicast;interleaved=4-5' },
  { input: 'RTP/AVPF;unicast', value: t({ protocol: 'RTP/AVPF', delivery: 'unicast' }) },
  { input: 'RTP/SAVP/TCP;interleaved=0-1', value: t({ protocol: 'RTP/SAVP', lowerTransport: 'TCP', interleaved: [0, 1] }) },
  { input: 'RTP/AVP;unicast;x-foo=bar;x-flag', value: t({ delivery: 'unicast', extra: [['x-foo', 'bar'], ['x-flag', undefined]] }) },
  { input: 'RTP/AVP; unicast ; client_port = 5000 - 5001 ;', value: t({ delivery: 'unicast', clientPort: [5000, 5001] }), canonical: 'RTP/AVP;unicast;client_port=5000-5001' },
];

const invalid: { input: string; status: number; reason: string }[] = [
  { input: '', status: 400, reason: 'no transport given' },
  { input: ' , ', status: 400, reason: 'no transport given' },
  { input: 'RTP', status: 400, reason: 'expected RTP/AVP, RTP/AVP/UDP or RTP/AVP/TCP, got "RTP"' },
  { input: 'RTP/AVP/TCP/X', status: 400, reason: 'expected RTP/AVP' },
  { input: 'RTP/AVP/SCTP;unicast', status: 461, reason: 'lower transport must be UDP or TCP, got "SCTP"' },
  { input: 'RTP/AVP;client_port=x', status: 400, reason: 'client_port must be one or two port numbers, got "x"' },
  { input: 'RTP/AVP;client_port=', status: 400, reason: 'client_port must be one or two port numbers, got ""' },
  { input: 'RTP/AVP;client_port=70000-70001', status: 400, reason: 'client_port must be one or two port numbers' },
  { input: 'RTP/AVP;client_port=65535', status: 400, reason: 'client_port must be' },
  { input: 'RTP/AVP;server_port=1-2-3', status: 400, reason: 'server_port must be' },
  { input: 'RTP/AVP/TCP;interleaved=256-257', status: 400, reason: 'interleaved must be one or two channel numbers (0-255)' },
  { input: 'RTP/AVP;ttl=300', status: 400, reason: 'ttl must be a whole number from 0 to 255' },
  { input: 'RTP/AVP;ssrc=123456789', status: 400, reason: 'ssrc must be up to 8 hexadecimal digits' },
  { input: 'RTP/AVP;ssrc=xyz', status: 400, reason: 'ssrc must be' },
  { input: 'RTP/AVP;mode=', status: 400, reason: 'mode needs a value' },
  { input: 'RTP/AVP;source', status: 400, reason: 'source needs a value' },
  { input: 'RTP/AVP;=5', status: 400, reason: 'has no name' },
  { input: 'RTP/AVP;a b=1', status: 400, reason: '"a b" is not a parameter name' },
  // Regression (found by the grammar fuzz): the open quote took every parameter after it as the destination.
  { input: 'RTP/AVP;destination="127.0.0.1;client_port=0-10,RTP/AVP/TCP', status: 400, reason: 'a quoted value is not closed' },
];

describe('Transport', () => {
  it.each(cases)('parses and formats $input', ({ input, value, canonical }) => {
    expect(parseTransport(input)).toEqual([value]);
    expect(formatTransport(value)).toBe(canonical ?? input);
    expect(parseTransport(formatTransport(value))).toEqual([value]);
  });

  it('parses a list of alternatives in order', () => {
    const list = parseTransport('RTP/AVP;unicast;client_port=5000-5001,RTP/AVP/TCP;unicast;interleaved=0-1, RTP/AVP;mode="PLAY,RECORD"');
    expect(list).toEqual([
      t({ delivery: 'unicast', clientPort: [5000, 5001] }),
      t({ lowerTransport: 'TCP', delivery: 'unicast', interleaved: [0, 1] }),
      t({ mode: 'play,record' }),
    ]);
  });

  it.each(invalid)('rejects $input', ({ input, status, reason }) => {
    const err = catchRtspError(() => parseTransport(input));
    expect(err.status).toBe(status);
    expect(err.reason).toMatch(/^Transport: /);
    expect(err.reason).toContain(reason);
  });

  it('fuzz: parse returns or throws RtspError, and round-trips', () => {
    const parseAll = (v: string) => parseTransport(v);
    const formatAll = (l: TransportHeader[]) => l.map(formatTransport).join(',');
    expect(fuzzHeader(parseAll, formatAll, cases.map((c) => c.input), 14)).toEqual([]);
  });
});
