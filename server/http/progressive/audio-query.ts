// `?audio=<language>` of a progressive stream: the one audio track it carries beside the video, out of a path's alternatives.
import type { Track } from '../../media/track.js';
import { languageMatches, languageName } from '../../media/language.js';
import { HttpError } from '../errors.js';

/**
 * The audio track `?audio=` names (a language code such as `fre`/`fr`, an English name such as
 * `French`, or a track id as `track<id>`), or undefined when the query does not ask. 404 with the
 * choices when no audio track answers; 400 when the value is not one word.
 */
export function audioByQuery(tracks: readonly Track[], q: unknown, path: string): Track | undefined {
  if (q === undefined) return undefined;
  const wanted = Array.isArray(q) ? q[0] : q;
  if (typeof wanted !== 'string' || !/^[A-Za-z0-9-]{1,40}$/.test(wanted)) {
    throw new HttpError(400, `audio=${String(wanted)} is not a language: give a code such as ?audio=fre or ?audio=fr`);
  }
  const audio = tracks.filter((t) => t.kind === 'audio');
  const byId = /^track(\d+)$/i.exec(wanted);
  const found = byId ? audio.find((t) => t.id === Number(byId[1])) : audio.find((t) => languageMatches(wanted, t.language));
  if (found) return found;
  throw new HttpError(404, `/${path} has no ${wanted} audio; its audio tracks are ${describeAudio(audio)}`);
}

/** "eng (English), fre (French)" or "track2 (no language)" for messages. */
export function describeAudio(audio: readonly Track[]): string {
  if (audio.length === 0) return 'none';
  return audio.map((t) => (t.language ? `${t.language} (${languageName(t.language)})` : `track${t.id} (no language)`)).join(', ');
}

/** The tracks a reader gets: all of them, or the other kinds plus the one audio track chosen. */
export function withAudio(tracks: Track[], audio: Track | undefined): Track[] {
  return audio ? tracks.filter((t) => t.kind !== 'audio' || t.id === audio.id) : tracks;
}
