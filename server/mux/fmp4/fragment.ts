// One fMP4 fragment: moof (mfhd, one traf per track: tfhd, tfdt v1, trun v1) + mdat, for any samples of several tracks.
import type { AccessUnit } from '../../media/access-unit.js';
import { BoxWriter } from './bytes.js';

export interface Fmp4Sample {
  /** Ticks (track timescale) until the next sample's decode time. */
  duration: number;
  /** Presentation minus decode time, in ticks; may be negative (trun version 1). */
  cto: number;
  /** A sync sample (IDR/IRAP, or any audio frame). */
  key: boolean;
  /** Video: NAL units without start codes (written with 4-byte lengths). Audio: [frame]. */
  data: Uint8Array[];
  /** True when `data` holds NAL units to length-prefix (video); false writes the bytes as they are. */
  nal: boolean;
}

/** The samples of one track in one fragment. */
export interface Fmp4Run {
  /** MP4 track_ID as in the init segment. */
  trackId: number;
  /** Decode time of the first sample, in ticks; must be >= 0. */
  baseDecodeTime: number;
  samples: Fmp4Sample[];
}

// ISO 14496-12 8.8.3.1 sample flags: depends_on = 2 (independent) for sync samples,
// depends_on = 1 + is_non_sync_sample for the rest.
const SYNC = 0x02000000;
const NON_SYNC = 0x01010000;

/** trun flags: data offset, per-sample duration, size, flags, composition offset. */
const TRUN_FLAGS = 0x000001 | 0x000100 | 0x000200 | 0x000400 | 0x000800;
/** tfhd flags: default-base-is-moof (offsets count from the moof, as CMAF requires). */
const TFHD_FLAGS = 0x020000;

export function sampleSize(s: Fmp4Sample): number {
  let n = 0;
  for (const d of s.data) n += d.length + (s.nal ? 4 : 0);
  return n;
}

/**
 * `sequence` is the mfhd sequence number (1, 2, ... per muxer: players use it only to order fragments).
 * Runs without samples are left out; a fragment with no samples at all is an error.
 */
export function writeFragment(sequence: number, runs: Fmp4Run[]): Uint8Array {
  const used = runs.filter((r) => r.samples.length > 0);
  if (used.length === 0) throw new Error('an fMP4 fragment needs at least one sample');
  for (const r of used) {
    if (r.baseDecodeTime < 0 || !Number.isSafeInteger(r.baseDecodeTime)) {
      throw new Error(`track ${r.trackId}: decode time ${r.baseDecodeTime} must be a non-negative integer`);
    }
  }
  const sizes = used.map((r) => r.samples.map(sampleSize));
  const mdatBody = sizes.reduce((n, l) => n + l.reduce((a, b) => a + b, 0), 0);
  const w = new BoxWriter(256 + mdatBody + used.reduce((n, r) => n + r.samples.length * 16, 0));
  const offsetAt: number[] = [];
  w.box('moof', () => {
    w.fullBox('mfhd', 0, 0, () => w.u32(sequence));
    used.forEach((r, i) => {
      w.box('traf', () => {
        w.fullBox('tfhd', 0, TFHD_FLAGS, () => w.u32(r.trackId));
        w.fullBox('tfdt', 1, 0, () => w.u64(r.baseDecodeTime));
        w.fullBox('trun', 1, TRUN_FLAGS, () => {
          w.u32(r.samples.length);
          offsetAt.push(w.pos);
          w.u32(0);
          r.samples.forEach((s, j) => {
            w.u32(Math.max(0, Math.round(s.duration))).u32(sizes[i]![j]!).u32(s.key ? SYNC : NON_SYNC).i32(s.cto);
          });
        });
      });
    });
  });
  const moofSize = w.pos;
  // mdat: each run's samples in order; a run's data offset counts from the start of the moof.
  let offset = moofSize + 8;
  used.forEach((r, i) => {
    w.patchU32(offsetAt[i]!, offset);
    offset += sizes[i]!.reduce((a, b) => a + b, 0);
  });
  w.u32(8 + mdatBody).fourcc('mdat');
  for (const r of used) {
    for (const s of r.samples) {
      for (const d of s.data) {
        if (s.nal) w.u32(d.length);
        w.bytes(d);
      }
    }
  }
  return w.finish();
}

/**
 * A sample from an access unit; `duration` is best the next unit's dts minus this one's. `cto`
 * defaults to pts - dts; pass another when the caller shifts decode times differently from
 * presentation times (e.g. decode = dts + reorder delay so a file's first frame presents at 0).
 */
export function sampleOf(au: AccessUnit, duration: number, video: boolean, cto = au.pts - au.dts, nal = video): Fmp4Sample {
  return { duration, cto, key: video ? au.key : true, data: au.data, nal };
}
