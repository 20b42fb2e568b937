// Sidecar subtitle discovery beside a media file: which name wins, the language from `name.<lang>.vtt`, SRT, and what is ignored.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findSidecar } from '../../server/sources/file/sidecar.js';

const VTT = 'WEBVTT\n\n00:01.000 --> 00:02.000\nvtt\n';
const SRT = '1\n00:00:01,000 --> 00:00:02,000\nsrt\n';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidecast-sidecar-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function files(names: Record<string, string>): void {
  for (const [n, text] of Object.entries(names)) writeFileSync(join(dir, n), text);
}

describe('findSidecar', () => {
  it.each([
    ['name.vtt first', { 'talk.vtt': VTT, 'talk.srt': SRT, 'talk.fr.vtt': VTT }, 'talk.vtt', undefined, 'Subtitles'],
    ['then name.srt', { 'talk.srt': SRT, 'talk.fr.vtt': VTT }, 'talk.srt', undefined, 'Subtitles'],
    ['then a language', { 'talk.fr.vtt': VTT }, 'talk.fr.vtt', 'fr', 'French'],
    ['a three-letter language in SRT', { 'talk.ger.srt': SRT }, 'talk.ger.srt', 'ger', 'German'],
  ])('%s', (_name, names, file, language, label) => {
    files({ 'talk.mp4': '', ...names });
    const s = findSidecar(join(dir, 'talk.mp4'));
    expect(s?.origin).toBe(file);
    expect(s?.language).toBe(language);
    expect(s?.name).toBe(label);
    expect(s?.cues.length).toBe(1);
  });

  it('ignores other names and files of other media', () => {
    files({ 'talk.mp4': '', 'talks.vtt': VTT, 'talk.mp4.txt': VTT, 'other.vtt': VTT, 'talk.english-subtitles-long.vtt': VTT });
    expect(findSidecar(join(dir, 'talk.mp4'))).toBeUndefined();
  });

  it('a broken sidecar gives no cues, not an error', () => {
    files({ 'talk.mp4': '', 'talk.vtt': '\u0000\u0001garbage' });
    expect(findSidecar(join(dir, 'talk.mp4'))?.cues).toEqual([]);
  });
});
