// The parts of an MP4 trak that fragmented and progressive files write alike: the language of mdhd,
// and hdlr + minf with the sample description; only the sample tables inside stbl differ.
import type { Track } from '../../media/track.js';
import type { BoxWriter } from './bytes.js';
import { writeSampleEntry } from './sample-entry.js';
import { iso6392T } from '../../media/language.js';

/** ISO 14496-12 §8.4.2.3: the ISO 639-2/T code as three 5-bit letters (each minus 0x60); "und" is 0x55c4. */
export function packLanguage(code: string | undefined): number {
  const c = iso6392T(code);
  return ((c.charCodeAt(0) - 0x60) << 10) | ((c.charCodeAt(1) - 0x60) << 5) | (c.charCodeAt(2) - 0x60);
}

/** hdlr, then minf (vmhd or smhd, dinf, stbl: stsd with the track's sample entry, then `tables`). */
export function writeMediaInfo(w: BoxWriter, track: Track, tables: () => void): void {
  const video = track.kind === 'video';
  w.fullBox('hdlr', 0, 0, () => {
    w.u32(0).fourcc(video ? 'vide' : 'soun').zeros(12);
    w.bytes(new TextEncoder().encode(video ? 'VideoHandler\0' : 'SoundHandler\0'));
  });
  w.box('minf', () => {
    if (video) w.fullBox('vmhd', 0, 1, () => w.zeros(8));
    else w.fullBox('smhd', 0, 0, () => w.zeros(4));
    w.box('dinf', () => w.fullBox('dref', 0, 0, () => w.u32(1).fullBox('url ', 0, 1, () => undefined)));
    w.box('stbl', () => {
      w.fullBox('stsd', 0, 0, () => {
        w.u32(1);
        writeSampleEntry(w, track);
      });
      tables();
    });
  });
}
