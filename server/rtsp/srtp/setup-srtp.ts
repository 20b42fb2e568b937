// The keys of an RTP/SAVP SETUP: the peer's from its KeyMgmt header (or its ANNOUNCE), ours from the stream, the DESCRIBE, or new.
import { RtspError } from '../errors.js';
import { decodeMikey, parseKeyMgmt } from '../headers/key-mgmt.js';
import { MikeyError, type MikeyMessage } from '../mikey/message.js';
import { rocOf, srtpKeyingOf, type SrtpKeying } from '../mikey/srtp-policy.js';
import type { SessionMedia } from '../session.js';
import { newSrtpKey } from './keys.js';
import { LiveTrackSrtp, OwnTrackSrtp, PublishTrackSrtp, type TrackSrtp } from './track-srtp.js';
import { SrtpOpener } from './transform.js';

/** Paths a connection's DESCRIBE gave file keys for, kept until SETUP: a few per connection. */
const MAX_DESCRIBED = 8;
const described = new WeakMap<object, Map<string, Uint8Array[]>>();
/** What an ANNOUNCE said each medium's key is (a=key-mgmt), by publishing session. */
const announced = new WeakMap<object, (SrtpKeying | undefined)[]>();

/**
 * Keys for a file's tracks, made at DESCRIBE (its SDP carries them) and used by the SETUPs on the
 * same connection: a file reader's packets are its own, so are its keys.
 */
export function describedKeys(conn: object, path: string, tracks: number): Uint8Array[] {
  let m = described.get(conn);
  if (!m) described.set(conn, (m = new Map()));
  let keys = m.get(path);
  if (!keys || keys.length !== tracks) {
    keys = Array.from({ length: tracks }, newSrtpKey);
    m.delete(path);
    if (m.size >= MAX_DESCRIBED) m.delete(m.keys().next().value!);
    m.set(path, keys);
  }
  return keys;
}

/** A MIKEY message's SRTP keying, refused with 400 in words. */
function keyingOf(m: MikeyMessage, where: string): SrtpKeying {
  try {
    return srtpKeyingOf(m);
  } catch (e) {
    if (e instanceof MikeyError) throw new RtspError(400, `${where}: ${e.message}`);
    throw e;
  }
}

/** Checks an ANNOUNCE's per-medium a=key-mgmt (base64 MIKEY) and keeps them for the SETUPs of `session`. */
export function rememberAnnouncedKeys(session: object, keyMgmt: (string | undefined)[], srtp: boolean[]): void {
  announced.set(
    session,
    keyMgmt.map((k, i) => (k !== undefined && srtp[i] ? keyingOf(decodeMikey(k, `a=key-mgmt of media ${i}`), `a=key-mgmt of media ${i}`) : undefined)),
  );
}

export interface SrtpSetup {
  media: SessionMedia;
  trackId: number;
  /** The SETUP's KeyMgmt header, if any. */
  keyMgmt: string | undefined;
  /** The session that ANNOUNCE made (publishers), whose announced keys may stand in for KeyMgmt. */
  session: object | undefined;
  /** The connection (its DESCRIBE keys for files). */
  conn: object;
  path: string;
}

/** The SRTP of a track set up with RTP/SAVP; a missing or unusable key is a 400 saying what to send. */
export function srtpForSetup(s: SrtpSetup): TrackSrtp {
  const peer = s.keyMgmt !== undefined ? keyingOf(parseKeyMgmt(s.keyMgmt).message, 'KeyMgmt') : s.session ? announced.get(s.session)?.[s.trackId] : undefined;
  if (!peer) {
    const what = s.media.kind === 'publish' ? 'the SRTP you send (or a=key-mgmt in the ANNOUNCE SDP)' : 'the SRTCP receiver reports you send';
    throw new RtspError(400, `SETUP with RTP/SAVP needs a KeyMgmt header (RFC 4567: prot=mikey; uri="..."; data="<base64 MIKEY>") with the key of ${what}`);
  }
  const opener = new SrtpOpener(peer.key, (ssrc) => rocOf(peer, ssrc));
  const m = s.media;
  if (m.kind === 'publish') return new PublishTrackSrtp(opener);
  if (m.kind === 'live') return new LiveTrackSrtp(m.stream, s.trackId, opener);
  const key = described.get(s.conn)?.get(s.path)?.[s.trackId] ?? newSrtpKey();
  return new OwnTrackSrtp(key, () => m.playback.ssrcOf(s.trackId), opener);
}
