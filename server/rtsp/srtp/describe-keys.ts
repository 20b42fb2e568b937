// The a=key-mgmt of a DESCRIBE over RTSPS: per track, the MIKEY message of the key its packets will be sealed with.
import type { Resolved } from '../../core/path-manager.js';
import { base64Encode } from '../../sdp/base64.js';
import { formatMikey } from '../mikey/message.js';
import { mikeyOf } from './keys.js';
import { describedKeys } from './setup-srtp.js';
import { StreamSrtp } from './stream-srtp.js';

/** Base64 MIKEY per track: a live stream's shared keys, or keys made for this connection's reading of a file. */
export function describeKeys(conn: object, path: string, r: Resolved): string[] {
  if (r.kind === 'live') {
    const shared = StreamSrtp.of(r.stream);
    return r.stream.tracks.map((t) => base64Encode(formatMikey(shared.mikey(t.id))));
  }
  return describedKeys(conn, path, r.file.tracks.length).map((k) => base64Encode(formatMikey(mikeyOf(k, []))));
}
