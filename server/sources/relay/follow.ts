// Helpers for a relay following its upstream's requests: packets to the feed, the next ANNOUNCE/REDIRECT or the end, a Location made absolute.
import type { RelayFeed } from './feed.js';
import type { RtspClient } from './rtsp-client.js';
import type { ServerRequest } from './server-requests.js';
import { absolutize } from './rtsp-url.js';

export type UpstreamEvent = ServerRequest | { kind: 'closed'; message: string };

/** The client's packets go to the feed. */
export function feedFrom(client: RtspClient, feed: RelayFeed): void {
  client.onRtp = (i, d) => feed.rtp(i, d);
  client.onRtcp = (i, d) => feed.rtcp(i, d);
}

/** The upstream's next ANNOUNCE or REDIRECT (the client answers 200 only while this listens), or the client's end. */
export function nextServerRequest(client: RtspClient): Promise<UpstreamEvent> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (e: UpstreamEvent): void => {
      if (done) return;
      done = true;
      client.off('announce', finish);
      client.off('redirect', finish);
      resolve(e);
    };
    client.on('announce', finish);
    client.on('redirect', finish);
    void client.closed.then((r) => finish({ kind: 'closed', message: r.message }));
  });
}

/** A Location relative to the URL it came from made absolute (RFC 2326 §12.25 wants it absolute; some servers send a path). */
export function absoluteLocation(location: string, from: string): string {
  try {
    return absolutize(location.trim(), from);
  } catch {
    return location.trim();
  }
}
