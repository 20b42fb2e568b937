// The progressive MP4 head's tables read back box by box: run-length stts/ctts (signed when an offset is negative),
// stss only with non-sync samples, one stsz value when sizes agree, stsc rows where chunks change, an edit list that
// starts presentation at 0 (empty edit for a late track), and co64 with a 64-bit mdat past 4 GiB.
import { describe, expect, it } from 'vitest';
import type { Track } from '../../server/media/track.js';
import { writeMp4FileHead, type Mp4FileSamples } from '../../server/mux/mp4-file/index.js';

const VIDEO = { id: 0, kind: 'video', codec: 'H264', clockRate: 90000, payloadType: 96, h264: { sps: [new Uint8Array([0x67, 0x42, 0xc0, 0x1e, 0xd9, 0x00, 0xa0, 0x47, 0xfe, 0xc8])], pps: [new Uint8Array([0x68, 0xce, 0x3c, 0x80])] } } as Track;
const AUDIO = { id: 1, kind: 'audio', codec: 'AAC', clockRate: 48000, channels: 2, sampleRate: 48000, payloadType: 97, aac: { asc: new Uint8Array([0x11, 0x90]) } } as Track;

function samples(rows: [duration: number, cto: number, key: number, size: number][]): Mp4FileSamples {
  return {
    durations: Uint32Array.from(rows.map((r) => r[0])),
    ctos: Int32Array.from(rows.map((r) => r[1])),
    keys: Uint8Array.from(rows.map((r) => r[2])),
    sizes: Uint32Array.from(rows.map((r) => r[3])),
  };
}

/** Boxes by path ("moov/trak/mdia/..."), each box's body; containers are walked. */
function boxes(b: Uint8Array): Map<string, Uint8Array[]> {
  const out = new Map<string, Uint8Array[]>();
  const containers = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts']);
  const walk = (at: number, end: number, prefix: string): void => {
    const v = new DataView(b.buffer, b.byteOffset);
    while (at + 8 <= end) {
      let size = v.getUint32(at);
      const type = String.fromCharCode(...b.subarray(at + 4, at + 8));
      let body = at + 8;
      if (size === 1) {
        size = Number(v.getBigUint64(at + 8));
        body = at + 16;
      }
      const path = prefix + type;
      out.set(path, [...(out.get(path) ?? []), b.subarray(body, Math.min(at + size, b.length))]);
      if (containers.has(type)) walk(body, at + size, `${path}/`);
      if (type === 'mdat') break;
      at += size;
    }
  };
  walk(0, b.length, '');
  return out;
}

const u32s = (b: Uint8Array): number[] => Array.from({ length: b.length >> 2 }, (_, i) => new DataView(b.buffer, b.byteOffset).getInt32(i * 4));

describe('progressive MP4 head', () => {
  it('writes run-length tables, an edit list from 0 and chunk offsets past the head', () => {
    // Video with one B-frame reorder (first dts -3000), audio starting 0.1 s late.
    const video = samples([
      [3000, 6000, 1, 100],
      [3000, 0, 0, 40],
      [3000, 0, 0, 40],
      [3000, 3000, 0, 50],
    ]);
    const audio = samples([
      [1024, 0, 1, 7],
      [1024, 0, 1, 7],
    ]);
    const head = writeMp4FileHead(
      [
        { track: VIDEO, timescale: 90000, samples: video, firstDts: -3000 },
        { track: AUDIO, timescale: 48000, samples: audio, firstDts: 4800 },
      ],
      [
        { track: 0, samples: 2 },
        { track: 1, samples: 2 },
        { track: 0, samples: 2 },
      ],
    );
    expect(head.dataSize).toBe(100 + 40 + 14 + 40 + 50);
    const b = boxes(head.bytes);
    expect([...b.keys()].filter((k) => !k.includes('/'))).toEqual(['ftyp', 'moov', 'mdat']);
    const [vt, at] = b.get('moov/trak/mdia/minf/stbl/stts')!;
    expect(u32s(vt!)).toEqual([0, 1, 4, 3000]);
    expect(u32s(at!)).toEqual([0, 1, 2, 1024]);
    expect(u32s(b.get('moov/trak/mdia/minf/stbl/ctts')![0]!)).toEqual([0, 3, 1, 6000, 2, 0, 1, 3000]);
    expect(b.get('moov/trak/mdia/minf/stbl/ctts')).toHaveLength(1);
    expect(u32s(b.get('moov/trak/mdia/minf/stbl/stss')![0]!)).toEqual([0, 1, 1]);
    expect(b.get('moov/trak/mdia/minf/stbl/stss')).toHaveLength(1);
    const [vsz, asz] = b.get('moov/trak/mdia/minf/stbl/stsz')!;
    expect(u32s(vsz!)).toEqual([0, 0, 4, 100, 40, 40, 50]);
    expect(u32s(asz!)).toEqual([0, 7, 2]);
    const [vsc, asc] = b.get('moov/trak/mdia/minf/stbl/stsc')!;
    expect(u32s(vsc!)).toEqual([0, 1, 1, 2, 1]);
    expect(u32s(asc!)).toEqual([0, 1, 1, 2, 1]);
    const n = head.bytes.length;
    const [vco, aco] = b.get('moov/trak/mdia/minf/stbl/stco')!;
    expect(u32s(vco!)).toEqual([0, 2, n, n + 140 + 14]);
    expect(u32s(aco!)).toEqual([0, 1, n + 140]);
    const [ve, ae] = b.get('moov/trak/edts/elst')!;
    // Video: presents 0..12000 ticks (133 ms), media time 3000 (the reorder lead). Audio: 100 ms empty, then media 0.
    expect(u32s(ve!)).toEqual([0, 1, 133, 3000, 0x10000]);
    expect(u32s(ae!)).toEqual([0, 2, 100, -1, 0x10000, 43, 0, 0x10000]);
    expect(new DataView(head.bytes.buffer).getUint32(n - 8)).toBe(head.dataSize + 8);
  });

  it('signs ctts when an offset is negative, and goes 64-bit past 4 GiB', () => {
    const big = samples([
      [3000, 0, 1, 3_000_000_000],
      [3000, -3000, 1, 3_000_000_000],
    ]);
    const head = writeMp4FileHead([{ track: VIDEO, timescale: 90000, samples: big, firstDts: 0 }], [{ track: 0, samples: 1 }, { track: 0, samples: 1 }]);
    const b = boxes(head.bytes);
    expect(b.get('moov/trak/mdia/minf/stbl/stss')).toBeUndefined();
    expect(b.get('moov/trak/mdia/minf/stbl/ctts')![0]![0]).toBe(1);
    expect(b.get('moov/trak/mdia/minf/stbl/stco')).toBeUndefined();
    const co = new DataView(b.get('moov/trak/mdia/minf/stbl/co64')![0]!.buffer, b.get('moov/trak/mdia/minf/stbl/co64')![0]!.byteOffset);
    const n = head.bytes.length;
    expect(co.getUint32(4)).toBe(2);
    expect(Number(co.getBigUint64(8))).toBe(n);
    expect(Number(co.getBigUint64(16))).toBe(n + 3_000_000_000);
    const v = new DataView(head.bytes.buffer);
    expect(v.getUint32(n - 16)).toBe(1);
    expect(Number(v.getBigUint64(n - 8))).toBe(6_000_000_000 + 16);
  });
});
