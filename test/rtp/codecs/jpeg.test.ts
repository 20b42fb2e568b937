// RFC 2435 JPEG: a real ffmpeg frame round-trips through packetizer and depacketizer into a full JPEG
// image with the same size, tables and scan; Q tables (Appendix A), restart markers, table caching,
// malformed payloads, and a fast-check property.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JpegDepacketizer, packetizeJpeg } from '../../../server/rtp/codecs/jpeg.js';
import { jpegHeaders, tablesForQ } from '../../../server/rtp/codecs/jpeg-headers.js';
import { parseJpeg, type ParsedJpeg } from '../../../server/rtp/codecs/jpeg-parse.js';
import { MAX_FRAME_SIZE } from '../../../server/rtp/codecs/frame.js';
import { fuzz } from '../../helpers/fuzz.js';

/** 64x48 4:2:0, made by `ffmpeg -f lavfi -i testsrc2 -pix_fmt yuvj420p -c:v mjpeg -huffman default`. */
const FRAME = new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../fixtures/frame-64x48.jpg')));

function depacketize(payloads: Uint8Array[], ts = 9000, seq0 = 1): ReturnType<JpegDepacketizer['push']> {
  const d = new JpegDepacketizer();
  return payloads.flatMap((payload, i) => d.push({ payload, marker: i === payloads.length - 1, timestamp: ts, sequenceNumber: seq0 + i }));
}

function parsed(b: Uint8Array): ParsedJpeg {
  const j = parseJpeg(b);
  if (typeof j === 'string') throw new Error(j);
  return j;
}

const main = (offset: number, type: number, q: number, w = 8, h = 6): number[] => [0, offset >> 16, (offset >> 8) & 0xff, offset & 0xff, type, q, w, h];

describe('JPEG over RTP (RFC 2435)', () => {
  it.each([100, 300, 1400])('an ffmpeg frame at MTU %i comes back a full JPEG with the same size, tables and scan', (mtu) => {
    const payloads = packetizeJpeg([FRAME], mtu);
    expect(payloads.every((p) => p.length <= mtu)).toBe(true);
    // First payload: type 1 (4:2:0), Q 255, 64/8 x 48/8, then the quantization table header
    // (ffmpeg writes one table, shared by luma and chroma, when its two matrices are equal).
    expect([...payloads[0]!.subarray(4, 12)]).toEqual([1, 255, 8, 6, 0, 0, 0, 64]);
    const out = depacketize(payloads);
    expect(out).toHaveLength(1);
    expect(out[0]!.damaged).toBeUndefined();
    const jpeg = out[0]!.data[0]!;
    expect([...jpeg.subarray(0, 2), ...jpeg.subarray(-2)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
    const a = parsed(FRAME);
    const b = parsed(jpeg);
    expect({ ...b, scan: Buffer.from(b.scan).toString('hex') }).toEqual({ ...a, scan: Buffer.from(a.scan).toString('hex') });
  });

  it('Q 50 gives ITU T.81 K.1/K.2 as they are, in zig-zag order (Appendix A)', () => {
    const [l, c] = tablesForQ(50);
    expect([...l.values.subarray(0, 6)]).toEqual([16, 11, 12, 14, 12, 10]);
    expect([...c.values.subarray(0, 4)]).toEqual([17, 18, 18, 24]);
    expect([...tablesForQ(1)[0].values.subarray(0, 2)]).toEqual([255, 255]);
    expect(Math.max(...tablesForQ(99)[0].values)).toBe(2);
  });

  it('Q < 128: the tables come from Q; type 0 is 4:2:2; the frame header says so', () => {
    const out = depacketize([Uint8Array.of(...main(0, 0, 50, 40, 30), 1, 2, 3)]);
    const j = parsed(out[0]!.data[0]!);
    expect(j).toMatchObject({ type: 0, width: 320, height: 240, restartInterval: 0 });
    expect(j.tables.map((t) => [...t.values])).toEqual(tablesForQ(50).map((t) => [...t.values]));
    expect([...j.scan]).toEqual([1, 2, 3]);
  });

  it('types 64-127 carry a restart marker header: rebuilt as DRI; later fragments skip it', () => {
    const rst = [0, 4, 0xff, 0xff];
    const out = depacketize([Uint8Array.of(...main(0, 65, 50), ...rst, 9, 8), Uint8Array.of(...main(2, 65, 50), ...rst, 7)]);
    const j = parsed(out[0]!.data[0]!);
    expect(j).toMatchObject({ type: 1, restartInterval: 4 });
    expect([...j.scan]).toEqual([9, 8, 7]);
    // And the packetizer writes one back for an image with DRI.
    const withDri = new Uint8Array([...jpegHeaders({ type: 1, width: 64, height: 48, tables: tablesForQ(60), restartInterval: 2 }), 5, 6, 0xff, 0xd9]);
    expect([...packetizeJpeg([withDri], 1400)[0]!.subarray(4, 12)]).toEqual([65, 255, 8, 6, 0, 2, 0xff, 0xff]);
  });

  it('Q 128..254 tables sent once are reused by later frames that send none', () => {
    const tables = new Array<number>(128).fill(7);
    const d = new JpegDepacketizer();
    d.push({ payload: Uint8Array.of(...main(0, 1, 200), 0, 0, 0, 128, ...tables, 1), marker: true, timestamp: 0, sequenceNumber: 1 });
    const [f] = d.push({ payload: Uint8Array.of(...main(0, 1, 200), 0, 0, 0, 0, 2), marker: true, timestamp: 3000, sequenceNumber: 2 });
    expect(parsed(f!.data[0]!).tables.map((t) => t.values[0])).toEqual([7, 7]);
  });

  it.each<[string, number[][]]>([
    ['a payload shorter than the main header', [[0, 0, 0]]],
    ['an undefined type', [[...main(0, 5, 50), 1]]],
    ['dynamic types 128-255', [[...main(0, 128, 50), 1]]],
    ['Q 0', [[...main(0, 1, 0), 1]]],
    ['Q 255 without tables', [[...main(0, 1, 255), 0, 0, 0, 0, 1]]],
    ['a table header longer than the payload', [[...main(0, 1, 255), 0, 0, 0, 128, 1, 2]]],
    ['a gap in fragment offsets (a lost packet)', [[...main(0, 1, 50), 1, 2], [...main(5, 1, 50), 3]]],
    ['a frame without its first fragment', [[...main(10, 1, 50), 3]]],
  ])('%s: one damaged frame, no data, no throw', (_, packets) => {
    const out = depacketize(packets.map((p) => Uint8Array.from(p)));
    expect(out).toEqual([{ timestamp: 9000, data: [], damaged: true }]);
  });

  it('a lost marker: the next timestamp ends the frame as damaged', () => {
    const d = new JpegDepacketizer();
    expect(d.push({ payload: Uint8Array.of(...main(0, 1, 50), 1), marker: false, timestamp: 0, sequenceNumber: 1 })).toEqual([]);
    const out = d.push({ payload: Uint8Array.of(...main(0, 1, 50), 2), marker: true, timestamp: 3000, sequenceNumber: 2 });
    expect(out.map((f) => [f.timestamp, !!f.damaged])).toEqual([[0, true], [3000, false]]);
  });

  it.each(['progressive', 'grey', 'too big'])('the packetizer refuses a JPEG RFC 2435 cannot carry (%s)', (kind) => {
    const b = FRAME.slice();
    const sof = b.findIndex((v, i) => v === 0xff && b[i + 1] === 0xc0);
    if (kind === 'progressive') b[sof + 1] = 0xc2;
    if (kind === 'grey') b[sof + 9] = 1;
    if (kind === 'too big') b[sof + 7] = 0x10; // width 4096+
    expect(() => packetizeJpeg([b], 1400)).toThrow(/RFC 2435|cannot be sent/);
  });

  it('fuzz: hostile payloads never throw; frames are damaged and empty, or whole JPEG images, bounded', () => {
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.tuple(fc.integer({ min: 0, max: 300 }), fc.constantFrom(0, 1, 64, 65, 2, 200), fc.integer({ min: 1, max: 255 }), fc.uint8Array({ maxLength: 300 }))
        .map(([off, type, q, rest]) => Uint8Array.of(...main(off, type, q), ...rest)),
    );
    const packet = fc.record({ payload, marker: fc.boolean(), sequenceNumber: fc.integer({ min: 0, max: 6 }), timestamp: fc.integer({ min: 0, max: 2 }) });
    fuzz('depacketize hostile JPEG', 2435, 300, fc.property(fc.array(packet, { maxLength: 30 }), (packets) => {
      const d = new JpegDepacketizer();
      let seq = 0;
      for (const p of packets) {
        seq = (seq + p.sequenceNumber) & 0xffff;
        for (const f of d.push({ ...p, sequenceNumber: seq, timestamp: p.timestamp * 3000 })) {
          if (f.damaged) expect(f.data).toEqual([]);
          else {
            const j = f.data[0]!;
            expect(j.length).toBeLessThan(MAX_FRAME_SIZE + 2000);
            expect([j[0], j[1], j[j.length - 2], j[j.length - 1]]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
          }
        }
      }
    }));
  });
});
