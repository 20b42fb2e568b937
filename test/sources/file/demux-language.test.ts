// The file demuxer keeps each track's language and title: the bundled two-language clip's audio tracks.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMediaFile } from '../../../server/sources/file/demux.js';
import { MEDIA_DIR } from '../../helpers/server.js';

describe('track languages', () => {
  it('reads the Matroska Language and Name of each audio track, none for the untagged video', async () => {
    const f = await loadMediaFile(join(MEDIA_DIR, 'sample-languages.mkv'));
    expect(f.tracks.map((t) => [t.kind, t.language, t.name, t.channels])).toEqual([
      ['video', undefined, undefined, undefined],
      ['audio', 'eng', 'English', 2],
      ['audio', 'fre', 'Français', 1],
    ]);
  });

  it('leaves tracks of a file without tags untagged', async () => {
    const f = await loadMediaFile(join(MEDIA_DIR, 'sample.mp4'));
    expect(f.tracks.map((t) => t.language ?? null)).toEqual([null, null]);
  });
});
