// The file source as the core sees it (MediaFiles): demuxed files from the shared cache, a FilePlayback per reader.
import type { PacketSink, Playback, PlaybackOptions } from '../../core/playback.js';
import type { DemuxStats, MediaFiles, SeekableMedia } from '../../core/seekable-media.js';
import type { MediaFileCache } from './file-cache.js';
import { FilePlayback } from './playback.js';

export class FileSource implements MediaFiles {
  constructor(private readonly cache: MediaFileCache) {}

  get stats(): DemuxStats {
    return this.cache.stats;
  }

  get(path: string): Promise<SeekableMedia> {
    return this.cache.get(path);
  }

  playback(media: SeekableMedia, sink: PacketSink, opts: PlaybackOptions): Playback {
    return new FilePlayback(media, sink, opts);
  }
}
