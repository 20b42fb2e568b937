// The fMP4/CMAF init segment: ftyp + moov with one trak per track and mvex/trex, no samples.
import type { Track } from '../../media/track.js';
import { BoxWriter } from './bytes.js';
import { videoInfo } from './sample-entry.js';
import { packLanguage, writeMediaInfo } from './media-info.js';

/** One track of an fMP4 stream. */
export interface Fmp4Track {
  /** MP4 track_ID (1-based, unique in the file); fragments name tracks by it. */
  id: number;
  /** Codec and config (SPS/PPS/VPS, ASC); `fmp4Supports(track)` must hold. */
  track: Track;
  /** Ticks per second of the track's decode times, durations and offsets: normally track.clockRate. */
  timescale: number;
}

const MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];

export function writeInitSegment(tracks: Fmp4Track[]): Uint8Array {
  const w = new BoxWriter(2048);
  w.box('ftyp', () => {
    w.fourcc('iso6').u32(0);
    for (const b of ['iso6', 'cmfc', 'iso5', 'mp41']) w.fourcc(b);
  });
  w.box('moov', () => {
    w.fullBox('mvhd', 0, 0, () => {
      w.u32(0).u32(0).u32(1000).u32(0); // times, timescale, duration (unknown: fragmented)
      w.u32(0x00010000).u16(0x0100).zeros(10);
      for (const m of MATRIX) w.u32(m);
      w.zeros(24);
      w.u32(Math.max(0, ...tracks.map((t) => t.id)) + 1);
    });
    for (const t of tracks) trak(w, t);
    w.box('mvex', () => {
      for (const t of tracks) {
        w.fullBox('trex', 0, 0, () => w.u32(t.id).u32(1).u32(0).u32(0).u32(0));
      }
    });
  });
  return w.finish();
}

function trak(w: BoxWriter, t: Fmp4Track): void {
  const video = t.track.kind === 'video';
  const size = video ? videoInfo(t.track) : { width: 0, height: 0 };
  w.box('trak', () => {
    w.fullBox('tkhd', 0, 3, () => {
      // flags 3: enabled and in the movie
      w.u32(0).u32(0).u32(t.id).u32(0).u32(0);
      w.zeros(8).u16(0).u16(0); // reserved, layer, alternate_group
      w.u16(video ? 0 : 0x0100).u16(0);
      for (const m of MATRIX) w.u32(m);
      w.u32(size.width * 0x10000).u32(size.height * 0x10000);
    });
    w.box('mdia', () => {
      w.fullBox('mdhd', 0, 0, () => w.u32(0).u32(0).u32(t.timescale).u32(0).u16(packLanguage(t.track.language)).u16(0));
      writeMediaInfo(w, t.track, () => {
        w.fullBox('stts', 0, 0, () => w.u32(0));
        w.fullBox('stsc', 0, 0, () => w.u32(0));
        w.fullBox('stsz', 0, 0, () => w.u32(0).u32(0));
        w.fullBox('stco', 0, 0, () => w.u32(0));
      });
    });
  });
}
