// Subtitles carried inside a media file (Matroska S_TEXT tracks, MP4 tx3g/wvtt tracks), read once when the file is loaded.
import type { TextSource } from '../../../media/subtitles.js';
import { fileSource } from './byte-source.js';
import { readMatroskaText } from './matroska-text.js';
import { readMp4Text } from './mp4-text.js';

export { bufferSource, type ByteSource } from './byte-source.js';
export { readMatroskaText } from './matroska-text.js';
export { readMp4Text } from './mp4-text.js';

/**
 * The text tracks inside the file at `path`, in container order, cue times in npt: file time minus
 * `startTime` (the seconds of file time the loader made pts 0), as the video's are. Tracks without
 * cues are left out. Never rejects: an unreadable file has none (`onError` hears why).
 */
export async function readTextTracks(path: string, startTime: number, onError?: (e: unknown) => void): Promise<TextSource[]> {
  let src;
  try {
    src = await fileSource(path);
    const mkv = await readMatroskaText(src, startTime);
    const all = mkv.length > 0 ? mkv : await readMp4Text(src, startTime);
    return all.filter((t) => t.cues.length > 0);
  } catch (e) {
    onError?.(e);
    return [];
  } finally {
    await src?.close().catch(() => undefined);
  }
}
