// Property, every depacketizer: hostile packet sequences never throw, frames hold no empty unit unless damaged and stay bounded; well-formed access units packetized at any MTU come back exactly, and a lost packet costs at most its own frame and the next.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CodecName, Track } from '../../../server/media/track.js';
import { MAX_FRAME_SIZE, type DepacketizedFrame, type Depacketizer } from '../../../server/rtp/codecs/frame.js';
import { createDepacketizer, packetizeAccessUnit } from '../../../server/rtp/packetizer.js';
import { fuzz } from '../../helpers/fuzz.js';
import { packetSteps, stepInputs } from '../../helpers/rtp-arbitraries.js';

const CODECS: CodecName[] = ['H264', 'H265', 'AAC', 'OPUS', 'PCMU'];
const trackOf = (codec: CodecName): Track => ({
  id: 0,
  kind: codec === 'H264' || codec === 'H265' ? 'video' : 'audio',
  codec,
  clockRate: codec === 'H264' || codec === 'H265' ? 90000 : codec === 'PCMU' ? 8000 : 48000,
  payloadType: 96,
});
const nalBased = (c: CodecName): boolean => c === 'H264' || c === 'H265';

/** Access units a sender would packetize: NAL units with valid headers (no AUD, which packetizers drop), or one audio frame. */
function accessUnit(codec: CodecName): fc.Arbitrary<Uint8Array[]> {
  const body = fc.uint8Array({ minLength: 1, maxLength: 4000 });
  if (codec === 'H264') {
    const nal = fc.tuple(fc.constantFrom(0x67, 0x68, 0x65, 0x41, 0x06, 0x01), body).map(([h, b]) => Uint8Array.of(h, ...b));
    return fc.array(nal, { minLength: 1, maxLength: 5 });
  }
  if (codec === 'H265') {
    const nal = fc.tuple(fc.constantFrom(32, 33, 34, 19, 1, 39), body).map(([t, b]) => Uint8Array.of(t << 1, 1, ...b));
    return fc.array(nal, { minLength: 1, maxLength: 5 });
  }
  const max = codec === 'AAC' ? 2000 : codec === 'OPUS' ? 1275 : 800;
  return fc.uint8Array({ minLength: 1, maxLength: max }).map((f) => [f]);
}

/** Packets of consecutive access units (one frame per RTP timestamp), seq from `seq0`. */
function packetsOf(codec: CodecName, aus: Uint8Array[][], mtu: number, seq0: number): { payload: Uint8Array; marker: boolean; sequenceNumber: number; timestamp: number; au: number }[] {
  const track = trackOf(codec);
  let seq = seq0;
  return aus.flatMap((data, k) => {
    const ps = packetizeAccessUnit(track, { pts: 0, dts: 0, duration: 0, key: false, data }, mtu);
    return ps.map((payload, i) => ({ payload, marker: i === ps.length - 1, sequenceNumber: seq++ & 0xffff, timestamp: (0xfffff000 + k * 3000) >>> 0, au: k }));
  });
}

const key = (f: DepacketizedFrame): string => f.data.map((d) => Buffer.from(d).toString('hex')).join('|');

describe('depacketizers under fast-check', () => {
  for (const codec of CODECS) {
    it(`${codec}: hostile sequences never throw; no empty unit unless damaged; bounded`, () => {
      fuzz(`depacketize hostile ${codec}`, 51 + CODECS.indexOf(codec), 2500, fc.property(packetSteps(codec, 40), (steps) => {
        const d: Depacketizer & { bufferedBytes?: number } = createDepacketizer(trackOf(codec));
        for (const pkt of stepInputs(steps)) {
          for (const f of d.push(pkt)) {
            expect(f.timestamp).toBe(f.timestamp >>> 0);
            if (!f.damaged) for (const u of f.data) expect(u.length).toBeGreaterThan(0);
            if (!nalBased(codec)) expect(f.data).toHaveLength(1);
            if (codec === 'AAC') expect(f.data[0]!.length).toBeLessThanOrEqual(0x1fff);
          }
          if (nalBased(codec)) expect(d.bufferedBytes).toBeLessThanOrEqual(MAX_FRAME_SIZE);
        }
      }));
    });

    it(`${codec}: access units packetized at any MTU come back exactly; a lost packet costs at most its frame and the next`, () => {
      const input = fc.tuple(fc.array(accessUnit(codec), { minLength: 1, maxLength: 6 }), fc.integer({ min: 200, max: 1500 }), fc.integer({ min: 0, max: 0xffff }), fc.option(fc.nat()));
      fuzz(`depacketize round trip ${codec}`, 61 + CODECS.indexOf(codec), 1500, fc.property(input, ([aus, mtu, seq0, lose]) => {
        const packets = packetsOf(codec, aus, mtu, seq0);
        const lost = lose === null ? -1 : lose % packets.length;
        const d = createDepacketizer(trackOf(codec));
        const frames = packets.filter((_, i) => i !== lost).flatMap((p) => d.push(p));
        const lostAu = lost >= 0 ? packets[lost]!.au : -1;
        const intact = frames.filter((f) => !f.damaged).map(key);
        const all = aus.map((data) => key({ timestamp: 0, data }));
        if (lostAu < 0) {
          expect(intact).toEqual(all);
          return;
        }
        // A gap at a frame boundary may be the head of the next frame: video marks that one damaged
        // too (a decoder must wait for a key frame either way). Every other frame comes back byte
        // for byte, in order, and nothing comes back that was not sent.
        const sure = aus.flatMap((data, k) => (k === lostAu || (nalBased(codec) && k === lostAu + 1) ? [] : [key({ timestamp: 0, data })]));
        expect(intact.filter((k) => sure.includes(k))).toEqual(sure);
        let from = 0;
        for (const k of intact) {
          const at = all.indexOf(k, from);
          expect(at, 'a frame that was not sent, or out of order').toBeGreaterThanOrEqual(0);
          from = at + 1;
        }
      }));
    });
  }
});
