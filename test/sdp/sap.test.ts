// SAP packets (RFC 2974): a table of packets built and parsed both ways, packets from other announcers, and a fuzz of bad input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSap, parseAddress, parseSap, sapHash, type SapPacket } from '../../server/sdp/sap.js';
import { fuzz } from '../helpers/fuzz.js';

const SDP = 'v=0\r\no=- 1 1 IN IP4 192.0.2.7\r\ns=cam\r\nt=0 0\r\nm=video 8002 RTP/AVP 96\r\nc=IN IP4 239.255.0.1/16\r\n';
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('buildSap / parseSap', () => {
  const cases: { name: string; packet: SapPacket; head: string }[] = [
    { name: 'IPv4 announcement', packet: { deletion: false, msgIdHash: 0x1234, origin: '192.0.2.7', payloadType: 'application/sdp', payload: SDP }, head: '20001234c0000207' },
    { name: 'IPv4 deletion (T bit)', packet: { deletion: true, msgIdHash: 0xfffe, origin: '10.0.0.1', payloadType: 'application/sdp', payload: SDP }, head: '2400fffe0a000001' },
    { name: 'IPv6 origin (A bit)', packet: { deletion: false, msgIdHash: 1, origin: '2001:db8:0:0:0:0:0:1', payloadType: 'application/sdp', payload: SDP }, head: `30000001${'20010db8000000000000000000000001'}` },
    { name: 'non-ASCII session name', packet: { deletion: false, msgIdHash: 7, origin: '127.0.0.1', payloadType: 'application/sdp', payload: 'v=0\r\ns=caméra\r\n' }, head: '200000077f000001' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const b = buildSap(c.packet);
      expect(hex(b.subarray(0, c.head.length / 2))).toBe(c.head);
      // The payload type, NUL-terminated, sits between origin and SDP (RFC 2974 §6; VLC skips it by its NUL).
      const typeAt = c.head.length / 2;
      expect(Buffer.from(b.subarray(typeAt, typeAt + 16)).toString('latin1')).toBe('application/sdp\0');
      const r = parseSap(b);
      expect(r).toEqual({ ok: true, packet: c.packet });
    });
  }

  it('reads a packet without payload type (SAPv1 implies application/sdp when the payload starts v=0)', () => {
    const b = Buffer.concat([Buffer.from('20000042c0000201', 'hex'), Buffer.from(SDP)]);
    expect(parseSap(b)).toEqual({ ok: true, packet: { deletion: false, msgIdHash: 0x42, origin: '192.0.2.1', payloadType: 'application/sdp', payload: SDP } });
  });

  it('skips authentication data and keeps it', () => {
    const b = Buffer.concat([Buffer.from('20020001c0000201', 'hex'), Buffer.from('0102030405060708', 'hex'), Buffer.from('application/sdp\0'), Buffer.from(SDP)]);
    const r = parseSap(b);
    expect(r.ok && r.packet.payload).toBe(SDP);
    expect(r.ok && hex(r.packet.authData!)).toBe('0102030405060708');
  });

  it('flags encrypted and compressed payloads rather than reading them as SDP', () => {
    const r = parseSap(Buffer.concat([Buffer.from('2300abcdc0000201', 'hex'), Buffer.from([0x78, 0x9c, 0, 1])]));
    expect(r.ok && r.packet.encrypted && r.packet.compressed).toBe(true);
    expect(r.ok && r.packet.payload.length).toBe(4);
  });

  const bad: [string, string, RegExp][] = [
    ['empty', '', /shorter than the 4-byte SAP header/],
    ['header only', '2000', /shorter/],
    ['version 2', '40000001c0000201', /version 2/],
    ['origin cut short', '20000001c000', /cannot hold the origin/],
    ['authentication longer than the packet', '20ff0001c0000201', /authentication data/],
    ['payload type without its NUL', `20000001c0000201${Buffer.from('application/sdp').toString('hex')}`, /NUL-terminated/],
  ];
  for (const [name, h, reason] of bad) {
    it(`refuses ${name}`, () => {
      const r = parseSap(Buffer.from(h, 'hex'));
      expect(r.ok).toBe(false);
      expect(!r.ok && r.reason).toMatch(reason);
    });
  }

  it('refuses to build from an origin that is not an address', () => {
    expect(() => buildSap({ deletion: false, msgIdHash: 1, origin: 'example.com', payloadType: 'application/sdp', payload: SDP })).toThrow(/not an IPv4 or IPv6 address/);
  });
});

describe('parseAddress', () => {
  it.each([
    ['192.0.2.7', 'c0000207'],
    ['::1', '00000000000000000000000000000001'],
    ['ff0e::2:7ffe', 'ff0e0000000000000000000000027ffe'],
    ['2001:db8::', '20010db8000000000000000000000000'],
  ])('%s', (a, h) => expect(hex(parseAddress(a)!)).toBe(h));
  it.each(['256.1.1.1', '1.2.3', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', '1:2:3:4:5:6:7', ''])('refuses %s', (a) => expect(parseAddress(a)).toBeUndefined());
});

describe('sapHash', () => {
  it('is 16 bits, never 0, and changes with the SDP', () => {
    const a = sapHash(SDP);
    expect(a).toBeGreaterThan(0);
    expect(a).toBeLessThan(0x10000);
    expect(sapHash(SDP.replace('s=cam', 's=cam2'))).not.toBe(a);
  });
});

describe('SAP fuzz', () => {
  it('parseSap never throws on arbitrary bytes, and keeps every field within its range', () => {
    fuzz('sap-parse', 2974, 3000, fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      const r = parseSap(b);
      if (r.ok) {
        expect(r.packet.msgIdHash).toBeLessThan(0x10000);
        expect(parseAddress(r.packet.origin)).toBeDefined();
      }
    }));
  });

  it('parseSap never throws on real packets with bytes flipped or cut', () => {
    const base = buildSap({ deletion: false, msgIdHash: 0xbeef, origin: '192.0.2.7', payloadType: 'application/sdp', payload: SDP });
    fuzz('sap-mutate', 9875, 3000, fc.property(fc.nat(base.length), fc.nat(255), fc.nat(base.length), (at, v, cut) => {
      const b = Uint8Array.from(base);
      b[at % b.length] = v;
      parseSap(b.subarray(0, cut));
      parseSap(b);
    }));
  });

  it('what is built parses back to the same packet', () => {
    const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
    fuzz('sap-roundtrip', 2327, 1000, fc.property(fc.boolean(), fc.integer({ min: 1, max: 0xffff }), ipv4, fc.string({ maxLength: 200 }), (deletion, msgIdHash, origin, s) => {
      const packet = { deletion, msgIdHash, origin, payloadType: 'application/sdp', payload: `v=0\r\n${s}` };
      expect(parseSap(buildSap(packet))).toEqual({ ok: true, packet });
    }));
  });
});
