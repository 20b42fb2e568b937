// G.722 (RFC 3551 §4.5.2) and LPCM L16/L24 (RFC 3551 §4.5.11, RFC 3190): payload sizes, durations in
// clock ticks, sample-frame boundaries, malformed payloads, and a fast-check property each.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Track } from '../../../server/media/track.js';
import { G722Depacketizer, g722Ticks, packetizeG722 } from '../../../server/rtp/codecs/g722.js';
import { LpcmDepacketizer, lpcmFrameBytes, lpcmTicks, packetizeLpcm } from '../../../server/rtp/codecs/lpcm.js';
import { createDepacketizer, packetizeAccessUnit } from '../../../server/rtp/packetizer.js';
import { fuzz } from '../../helpers/fuzz.js';

const track = (codec: 'L16' | 'L24' | 'G722', channels: number, rate: number): Track => ({ id: 0, kind: 'audio', codec, clockRate: rate, channels, payloadType: 96 });
const input = (payload: Uint8Array, i: number) => ({ payload, marker: false, timestamp: 1000 + i * 160, sequenceNumber: i });

describe('G.722', () => {
  it('20 ms at 16 kHz is 160 bytes and 160 ticks of the 8000 Hz RTP clock', () => {
    const f = new Uint8Array(160).fill(3);
    expect(packetizeG722([f], 1400)).toEqual([f]);
    expect(g722Ticks(f)).toBe(160);
  });

  it('splits at the MTU and reassembles; empty payloads carry nothing', () => {
    const f = Uint8Array.from({ length: 500 }, (_, i) => i & 0xff);
    const ps = packetizeG722([f], 200);
    expect(ps.map((p) => p.length)).toEqual([200, 200, 100]);
    const d = new G722Depacketizer();
    const out = [...ps, new Uint8Array(0)].flatMap((p, i) => d.push(input(p, i)));
    expect(Buffer.concat(out.map((o) => o.data[0]!))).toEqual(Buffer.from(f));
  });

  it('fuzz: any packets give non-empty frames, duplicates dropped, never a throw', () => {
    fuzz('depacketize G722', 722, 300, fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 0, max: 65535 }))), (pkts) => {
      const d = createDepacketizer(track('G722', 1, 8000));
      for (const [payload, seq] of pkts) for (const f of d.push({ payload, marker: true, timestamp: seq, sequenceNumber: seq })) expect(f.data[0]!.length).toBeGreaterThan(0);
    }));
  });
});

describe('LPCM', () => {
  it.each<['L16' | 'L24', number, number, number]>([
    ['L16', 1, 2, 160],
    ['L16', 2, 4, 80],
    ['L24', 1, 3, 106],
    ['L24', 2, 6, 53],
  ])('%s with %i channel(s): %i bytes a sample frame; 320 bytes are %i ticks', (codec, ch, unit, ticks) => {
    expect(lpcmFrameBytes(track(codec, ch, 48000))).toBe(unit);
    expect(lpcmTicks(track(codec, ch, 48000), new Uint8Array(320))).toBe(ticks);
  });

  it.each<['L16' | 'L24', number, number[]]>([
    ['L16', 2, [1400, 1400, 1040]],
    ['L24', 2, [1398, 1398, 1044]],
    ['L24', 1, [1401, 1401, 1038]],
  ])('%s/%i: payloads cut on sample-frame boundaries under a 1401-byte MTU', (codec, ch, sizes) => {
    const t = track(codec, ch, 48000);
    const f = new Uint8Array(3840);
    const ps = packetizeAccessUnit(t, { pts: 0, dts: 0, duration: 0, key: true, data: [f] }, 1401);
    expect(ps.map((p) => p.length)).toEqual(sizes);
  });

  it('a partial sample frame is cut off; a payload shorter than one carries nothing', () => {
    const d = new LpcmDepacketizer(6);
    expect(d.push(input(new Uint8Array(13), 0)).map((f) => f.data[0]!.length)).toEqual([12]);
    expect(d.push(input(new Uint8Array(5), 1))).toEqual([]);
    expect(() => packetizeLpcm(track('L24', 2, 48000), [new Uint8Array(12)], 5)).toThrow(/too small/);
  });

  it('fuzz: every L24 stereo frame is whole sample frames; packetized frames come back exactly', () => {
    const t = track('L24', 2, 48000);
    fuzz('depacketize L24', 3190, 300, fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 3000 }), { maxLength: 8 }), fc.integer({ min: 6, max: 1500 }), (frames, mtu) => {
      const d = createDepacketizer(t);
      let seq = 0;
      const ps = frames.flatMap((f) => packetizeLpcm(t, [f], mtu));
      const out = ps.flatMap((payload) => d.push({ payload, marker: false, timestamp: 0, sequenceNumber: seq++ }));
      for (const f of out) expect(f.data[0]!.length % 6).toBe(0);
      const whole = frames.map((f) => f.subarray(0, f.length - (f.length % 6)));
      expect(Buffer.concat(out.map((f) => f.data[0]!))).toEqual(Buffer.concat(whole));
    }));
  });
});
