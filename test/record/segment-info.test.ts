// segmentInfo on files the recorder's way (init, then prft + fragment per part): whole, cut short by a crash, and garbage.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Fmp4Muxer } from '../../server/mux/fmp4-muxer.js';
import { writePrft } from '../../server/record/prft.js';
import { fragmentTimes } from '../../server/record/fragment-times.js';
import { segmentInfo } from '../../server/record/segment-info.js';
import type { Track } from '../../server/media/track.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const T0 = Date.parse('2026-12-03T22:10:00Z');

/** 3 s of AAC (48 kHz, 1024-sample frames) in 1 s parts, each fragment after a prft. */
function segment(): { bytes: Uint8Array; fragmentEnds: number[] } {
  const track = { id: 0, kind: 'audio', codec: 'AAC', clockRate: 48000, channels: 2, payloadType: 96, control: 'trackID=0', aac: { asc: new Uint8Array([0x11, 0x90]) } } as unknown as Track;
  const mux = new Fmp4Muxer([track], { fragmentSeconds: 1, shiftSeconds: 0 });
  const parts: Uint8Array[] = [mux.init];
  const ends: number[] = [];
  const add = (chunks: { bytes: Uint8Array }[]): void => {
    for (const c of chunks) {
      const t = fragmentTimes(c.bytes)[0]!;
      parts.push(writePrft(t.trackId, T0 + (t.baseDecodeTime / 48000) * 1000, t.baseDecodeTime), c.bytes);
      ends.push(parts.reduce((n, p) => n + p.length, 0));
    }
  };
  for (let i = 0; i < 141; i++) add(mux.push(0, { pts: i * 1024, dts: i * 1024, duration: 1024, key: true, data: [new Uint8Array(50).fill(i)] }));
  add(mux.flush());
  const bytes = new Uint8Array(ends[ends.length - 1]!);
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  return { bytes, fragmentEnds: ends };
}

function file(bytes: Uint8Array): string {
  dir ??= mkdtempSync(join(tmpdir(), 'tidecast-seginfo-'));
  const f = join(dir, `${Math.random()}.mp4`);
  writeFileSync(f, bytes);
  return f;
}

describe('segmentInfo', () => {
  it('a whole segment: start from the first prft, duration to the end of the last fragment', async () => {
    const { bytes } = segment();
    const info = (await segmentInfo(file(bytes)))!;
    expect(info.startMs).toBeCloseTo(T0, 3);
    expect(info.duration).toBeCloseTo((141 * 1024) / 48000, 3);
    expect(info.size).toBe(bytes.length);
  });

  it('cut short mid-fragment (a crash): ends at the last complete fragment', async () => {
    const { bytes, fragmentEnds } = segment();
    const cut = fragmentEnds[fragmentEnds.length - 2]! + 40;
    const info = (await segmentInfo(file(bytes.subarray(0, cut))))!;
    expect(info.size).toBe(fragmentEnds[fragmentEnds.length - 2]);
    expect(info.duration).toBeGreaterThan(1.5);
    expect(info.duration).toBeLessThan((141 * 1024) / 48000);
  });

  it.each([
    ['empty', new Uint8Array(0)],
    ['init only', null],
    ['garbage', new Uint8Array(4096).map((_, i) => (i * 7919) & 0xff)],
  ])('%s: no segment, no throw', async (_n, bytes) => {
    const b = bytes ?? segment().bytes.subarray(0, segment().fragmentEnds[0]! - 100);
    expect(await segmentInfo(file(b))).toBeUndefined();
  });
});
