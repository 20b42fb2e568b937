// Damaged files: each is refused with its reason (never a hang or a crash), remembered per version, and demuxed again once fixed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMediaFile } from '../../../server/sources/file/demux.js';
import { MEDIA_DIR } from '../../helpers/server.js';

const dir = mkdtempSync(join(tmpdir(), 'tidecast-damaged-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('damaged media files', () => {
  it('regression: a Matroska file cut at 130 bytes (an endless loop in the demuxer) is stopped, and the next file still loads', async () => {
    // Before the demux ran in a worker, this input spun the server's event loop forever:
    // mediabunny 1.61's resync never advances past the last 8 bytes of the file.
    const path = join(dir, 'cut-130.mkv');
    writeFileSync(path, readFileSync(join(MEDIA_DIR, 'sample.mkv')).subarray(0, 130));
    await expect(loadMediaFile(path, { stallMs: 500 })).rejects.toThrow(/made no progress for 0.5 s and was stopped; the file is damaged/);
    const ok = await loadMediaFile(join(MEDIA_DIR, 'sample.mkv'));
    expect(ok.units[0]).toHaveLength(600);
  });

  it('regression: an MP4 with 2^31 decode-time entries (an allocation spiral) is stopped at the heap limit', async () => {
    const mp4 = readFileSync(join(MEDIA_DIR, 'sample.mp4'));
    mp4.writeUInt32BE(0x7fffffff, mp4.indexOf('stts', 0, 'latin1') + 12);
    const path = join(dir, 'stts-huge.mp4');
    writeFileSync(path, mp4);
    await expect(loadMediaFile(path, { heapMb: 64 })).rejects.toThrow(/needed more than 64 MB of memory and was stopped/);
  });
});
