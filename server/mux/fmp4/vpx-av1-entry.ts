// Codec configuration boxes for VP8/VP9 (vpcC, VP Codec ISO Media File Format Binding §2.2) and AV1 (av1C, AV1 ISO BMFF binding §2.3).
import type { Track } from '../../media/track.js';
import type { BoxWriter } from './bytes.js';

/** VP9 levels (VP9 §A.1 / Annex A table) by maximum luma picture size: the smallest that fits. */
const VP9_LEVELS: [number, number][] = [
  [36864, 10], [73728, 11], [122880, 20], [245760, 21], [552960, 30], [983040, 31],
  [2228224, 40], [8912896, 50], [35651584, 60],
];

export function vp9Level(width: number, height: number): number {
  const size = width * height;
  return VP9_LEVELS.find(([max]) => size <= max)?.[1] ?? 62;
}

/** VP9 color_space (§7.2.2) -> ISO/IEC 23091-2 matrix coefficients; 2 (unspecified) when unknown. */
const MATRIX: Record<number, number> = { 1: 6, 2: 1, 3: 6, 4: 7, 5: 9, 7: 0 };

export function vpcC(w: BoxWriter, track: Track): void {
  const c = track.vpx!;
  const level = track.codec === 'VP9' ? vp9Level(track.width ?? 0, track.height ?? 0) : 10;
  w.fullBox('vpcC', 1, 0, () => {
    w.u8(c.profile).u8(level);
    w.u8(((c.bitDepth & 0x0f) << 4) | ((c.chromaSubsampling & 7) << 1) | (c.fullRange ? 1 : 0));
    w.u8(2).u8(2).u8(MATRIX[c.colorSpace] ?? 2); // colour primaries and transfer unspecified
    w.u16(0); // codecIntializationDataSize: must be 0 for VP8 and VP9
  });
}

export function av1C(w: BoxWriter, track: Track): void {
  const c = track.av1!;
  w.box('av1C', () => {
    w.u8(0x81); // marker, version 1
    w.u8(((c.profile & 7) << 5) | (c.level & 0x1f));
    w.u8(
      ((c.tier & 1) << 7) | (c.bitDepth > 8 ? 0x40 : 0) | (c.bitDepth === 12 ? 0x20 : 0) | (c.monochrome ? 0x10 : 0) |
        ((c.subsamplingX & 1) << 3) | ((c.subsamplingY & 1) << 2) | (c.chromaSamplePosition & 3),
    );
    w.u8(0); // no initial_presentation_delay
    w.bytes(c.seqHeader); // configOBUs: the sequence header, as in the samples' key frames
  });
}
