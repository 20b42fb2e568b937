// Long recordings written fast, the recorder's way (Fmp4Muxer + writeTrackBox, then a prft before each fragment, as
// server/record/recorder.ts does): media/sample.mp4 demuxed once with the file source, its access units repeated with
// shifted times and each video frame padded with a filler NAL unit (H.264 type 12: decoders skip it) to a bit rate.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AccessUnit } from '../../server/media/access-unit.js';
import type { Track } from '../../server/media/track.js';
import { Fmp4Muxer } from '../../server/mux/fmp4-muxer.js';
import { fragmentTimes } from '../../server/record/fragment-times.js';
import { segmentFile } from '../../server/record/path-template.js';
import { writePrft } from '../../server/record/prft.js';
import { writeTrackBox } from '../../server/record/track-box.js';
import { loadMediaFile } from '../../server/sources/file/demux.js';

export interface Source {
  tracks: Track[];
  /** One loop: [track, unit] in decode-time order, video padded. */
  loop: { trackId: number; au: AccessUnit }[];
  /** Seconds per loop (the video's length: audio past it is dropped so loops join exactly). */
  loopSec: number;
}

/** The sample's units, video padded so that video and audio together make about `bitrate` bit/s. */
export async function paddedSample(file: string, bitrate: number): Promise<Source> {
  const m = await loadMediaFile(file);
  const video = m.tracks.find((t) => t.kind === 'video')!;
  const vUnits = m.units[video.id]!;
  const loopSec = vUnits.reduce((e, u) => Math.max(e, u.pts + u.duration), 0) / video.clockRate;
  const have = m.units.flat().reduce((n, u) => n + u.data.reduce((k, d) => k + d.length, 0), 0);
  const perFrame = Math.max(0, Math.round((bitrate / 8) * loopSec - have) / vUnits.length);
  const filler = new Uint8Array(Math.max(2, Math.round(perFrame)));
  filler.fill(0xff);
  filler[0] = 0x0c;
  filler[filler.length - 1] = 0x80;
  const loop: Source['loop'] = [];
  m.tracks.forEach((t, n) => {
    for (const au of m.units[n]!) {
      if (au.pts / t.clockRate >= loopSec) continue;
      loop.push({ trackId: t.id, au: t.kind === 'video' ? { ...au, data: [...au.data, filler] } : au });
    }
  });
  loop.sort((a, b) => a.au.dts / m.tracks[a.trackId]!.clockRate - b.au.dts / m.tracks[b.trackId]!.clockRate);
  return { tracks: m.tracks, loop, loopSec };
}

/**
 * Writes `count` segments of `segmentSec` each (a multiple of the loop) under the recordPath template for `path`,
 * the first starting at Unix ms `wall0`, in parts of `partSec`. Returns the bytes written.
 */
export function writeRecording(src: Source, template: string, path: string, wall0: number, segmentSec: number, count: number, partSec: number): number {
  const loops = Math.round(segmentSec / src.loopSec);
  let total = 0;
  for (let s = 0; s < count; s++) {
    const startSec = s * loops * src.loopSec;
    const file = segmentFile(template, path, new Date(wall0 + startSec * 1000), '.mp4');
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(file, 'w');
    const shiftSec = 0.5 - startSec;
    const mux = new Fmp4Muxer(src.tracks, { fragmentSeconds: partSec, shiftSeconds: shiftSec });
    const put = (b: Uint8Array): void => {
      writeSync(fd, b);
      total += b.length;
    };
    put(mux.init);
    put(writeTrackBox(mux.tracks));
    const add = (chunks: { bytes: Uint8Array }[]): void => {
      for (const c of chunks) {
        const t = fragmentTimes(c.bytes)[0]!;
        const clock = src.tracks[t.trackId - 1]!.clockRate;
        put(writePrft(t.trackId, wall0 + (t.baseDecodeTime / clock - shiftSec) * 1000, t.baseDecodeTime));
        put(c.bytes);
      }
    };
    for (let l = 0; l < loops; l++) {
      const at = startSec + l * src.loopSec;
      for (const { trackId, au } of src.loop) {
        const d = Math.round(at * src.tracks[trackId]!.clockRate);
        add(mux.push(trackId, { ...au, pts: au.pts + d, dts: au.dts + d }));
      }
    }
    add(mux.flush());
    closeSync(fd);
  }
  return total;
}
