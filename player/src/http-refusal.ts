// A stream the server refuses over HTTP because of the file itself (415: damaged, truncated, no playable track): its reason, shown as is, never retried.
import { FatalPlayerError } from './engine.js';

/** The FatalPlayerError for a 415 answer to `url` (/<path>/index.m3u8, /<path>/stream.mp4) with the server's JSON reason; undefined for any other answer. */
export async function unplayable(res: Response, url: string): Promise<FatalPlayerError | undefined> {
  if (res.status !== 415) return undefined;
  const raw = new URL(url).pathname.replace(/^\/+/, '').replace(/\/[^/]*$/, '');
  let path = raw;
  try {
    path = decodeURIComponent(raw);
  } catch {
    /* a malformed escape: show the path as the URL has it */
  }
  let reason = '';
  try {
    const body = (await res.json()) as { error?: unknown };
    if (typeof body.error === 'string') reason = body.error;
  } catch {
    /* not the server's JSON (a proxy's page): the status says enough */
  }
  return new FatalPlayerError(`"${path}" cannot be played: ${reason || `the server answered 415 ${res.statusText}`}`, 'unsupported');
}
