// A seekable media (a file): its tracks, duration and shared index of access units, and the file source as the core sees it.
import type { Track } from '../media/track.js';
import type { AccessUnit } from '../media/access-unit.js';
import type { TextSource } from '../media/subtitles.js';
import type { PacketSink, Playback, PlaybackOptions } from './playback.js';

/** Demuxed once and shared by every reader; never mutated after loading. */
export interface SeekableMedia {
  /** The file it was read from: names it in messages; its size and mtime tell versions apart. */
  readonly path: string;
  /** Supported tracks only; `tracks[i].id === i`. */
  readonly tracks: Track[];
  /**
   * The index: per track, in decode order. pts/dts/duration are integers in the track's clock units.
   * pts is shifted so the first video key frame is at 0 (audio before it is dropped); without
   * video, the earliest pts is 0. dts <= pts always, so with B-frames the first few video dts are negative
   * (down to minus the reorder delay, e.g. -3000 for one B-frame at 30 fps). seek.ts searches it.
   */
  readonly units: AccessUnit[][];
  /** Seconds: the latest unit end over all tracks. */
  readonly duration: number;
  /** Subtitles: a sidecar file's (first), then text tracks inside the container. */
  readonly subtitles?: readonly TextSource[];
}

/** How often files were demuxed, and how often a remembered failure answered instead (metrics). */
export interface DemuxStats {
  demuxes: number;
  failed: number;
  remembered: number;
}

/** The file source (sources/file implements it; app.ts hands it to the PathManager). */
export interface MediaFiles {
  readonly stats: DemuxStats;
  /** The media at an absolute file path, demuxed at most once per version; rejects when it cannot be read. */
  get(path: string): Promise<SeekableMedia>;
  /** A new reader's own cursor over `media`, sending to `sink`. */
  playback(media: SeekableMedia, sink: PacketSink, opts: PlaybackOptions): Playback;
}
