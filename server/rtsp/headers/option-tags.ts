// The option tag a client sends to say it follows server-sent ANNOUNCE (RFC 2326 §3.8, §10.3), and reading it from a request.
import type { RtspHeaders } from '../headers-map.js';

/**
 * `Supported: org.tidecast.announce` (or the same tag in `Require`) on any request of a connection:
 * the client takes ANNOUNCE requests from the server on that connection (a new SDP for a path it
 * reads) and answers them. RFC 2326 §3.8 names private option tags by reverse domain; RTSP 2.0
 * (RFC 7826 §18.51) carries a client's features in `Supported`. REDIRECT needs no tag: RFC 2326
 * §10.10 lets a server send it to any client, and one that ignores it is torn down later.
 */
export const ANNOUNCE_OPTION_TAG = 'org.tidecast.announce';

/** True when a request's Supported or Require header lists `tag` (comma-separated, case-insensitive). */
export function listsOptionTag(headers: RtspHeaders, tag: string = ANNOUNCE_OPTION_TAG): boolean {
  for (const name of ['Supported', 'Require']) {
    for (const value of headers.getAll(name)) {
      if (value.split(',').some((t) => t.trim().toLowerCase() === tag)) return true;
    }
  }
  return false;
}
