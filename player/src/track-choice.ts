// The tracks the ws mode sets up from a description: the first playable video and the audio alternative asked for; the language menu's entries.
import type { Track } from '../../server/media/track.js';
import { languageMatches, languageName } from '../../server/media/language.js';
import type { AudioChoice } from './engine.js';
import { UnsupportedCodecError } from './video-decode.js';
import { isTextTrack } from './ws-subtitles.js';

const VIDEO_CODECS = new Set(['H264', 'H265', 'VP8', 'VP9', 'AV1']);
const AUDIO_CODECS = new Set(['AAC', 'OPUS', 'PCMU', 'PCMA']);

export const playableAudio = (t: Track): boolean => t.kind === 'audio' && AUDIO_CODECS.has(t.codec);

/**
 * The first video and the audio alternative `wanted` names (else the first audio) this player can
 * play; with a video, the text track `subtitles` names (else the first), set up even when they are off
 * so the menu can turn them on.
 */
export function pickTracks(tracks: Track[], wanted: string | undefined, subtitles?: string): Track[] {
  const video = tracks.find((t) => t.kind === 'video' && VIDEO_CODECS.has(t.codec));
  const audio = pickAudio(tracks.filter(playableAudio), wanted);
  const text = video ? pickAudio(tracks.filter(isTextTrack), subtitles) : undefined;
  const out = [video, audio, text].filter((t): t is Track => t !== undefined);
  if (!video && !audio) {
    throw new UnsupportedCodecError(`none of the stream's tracks (${tracks.map((t) => t.codec).join(', ') || 'none'}) can be played by this player`);
  }
  return out;
}

/** The menu id of an audio track: its language, or "track<id>" when it has none. */
export const choiceId = (t: Track): string => t.language ?? `track${t.id}`;

/** Menu entries for `audio` (the playable audio tracks): none when there is nothing to choose. */
export function audioChoicesOf(audio: readonly Track[]): AudioChoice[] {
  if (audio.length < 2) return [];
  return audio.map((t, i) => ({ id: choiceId(t), label: t.name ?? (t.language ? languageName(t.language) : `Audio ${i + 1}`) }));
}

/** The track `wanted` names (a language code or name, or "track<id>"), else the first. */
export function pickAudio(audio: readonly Track[], wanted: string | undefined): Track | undefined {
  if (wanted) {
    const byId = /^track(\d+)$/.exec(wanted);
    const found = byId ? audio.find((t) => t.id === Number(byId[1])) : audio.find((t) => languageMatches(wanted, t.language));
    if (found) return found;
  }
  return audio[0];
}
