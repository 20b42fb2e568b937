// Server-to-client ANNOUNCE (RFC 2326 §10.3): a live path's new stream (a new publisher, other codecs) described to the readers that take it.
import type { Stream } from '../../core/stream.js';
import { describedAacTrack } from '../../sdp/aac-config.js';
import { buildSdp } from '../../sdp/describe.js';
import type { ServerContext } from '../context.js';
import type { ConnectionInfo } from '../session.js';

const encoder = new TextEncoder();

/**
 * Tells every connection watching `path` (its live session ended with the old source, and it listed
 * the ANNOUNCE option tag) the new stream's SDP. The client answers 200 and SETUPs the tracks anew
 * (Content-Base names the stream's URL, as on DESCRIBE); a session id is not sent, since the old
 * session ended with its source. Returns how many were told.
 */
export function announceStream(server: ServerContext, connections: Iterable<ConnectionInfo>, path: string, stream: Stream): number {
  let told = 0;
  for (const conn of connections) {
    const url = conn.watching?.get(path);
    if (url === undefined || conn.closed || !conn.sendRequest) continue;
    conn.watching!.delete(path);
    // Over RTSPS the SDP would need fresh keys per reader; such readers DESCRIBE again instead.
    if (conn.secure && !conn.tunnel) continue;
    const sdp = buildSdp({ tracks: stream.tracks.map(describedAacTrack), sessionName: path, serverAddress: conn.localAddress, sessionId: Date.now() % 0xffffffff });
    const sent = conn.sendRequest('ANNOUNCE', url, { 'Content-Type': 'application/sdp', 'Content-Base': `${url}/` }, encoder.encode(sdp));
    if (sent) told++;
  }
  if (told > 0) server.log.info({ path, told, codecs: stream.tracks.map((t) => t.codec) }, `/${path}: new stream announced to ${told} reader connection(s)`);
  return told;
}
