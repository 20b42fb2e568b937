// DESCRIBE: the SDP of a stream (RFC 2326 §10.2), with Content-Base for relative track controls.
import { buildSdp } from '../../sdp/describe.js';
import { describedAacTrack } from '../../sdp/aac-config.js';
import { resolveStream } from './open-stream.js';
import { contentBase } from '../url.js';
import type { Handler } from './request-context.js';
import { RtspError } from '../errors.js';
import { describeKeys } from '../srtp/describe-keys.js';
import { srtpOffered } from '../tls/policy.js';
import { endStopsEos } from './range-end.js';
import type { Resolved } from '../../core/path-manager.js';
import { describeRecorded } from '../recorded/open-recorded.js';
import { startOfQuery } from '../recorded/window.js';

export const describe: Handler = async (ctx) => {
  const { server, conn, req, target } = ctx;
  const accept = req.headers.get('Accept');
  if (accept && !/application\/sdp|\*\/\*|application\/\*/i.test(accept)) {
    throw new RtspError(406, `this server describes streams only as application/sdp, not "${accept}"`);
  }
  // ?start=<RFC 3339>: the recording from that instant (its tracks are the live stream's), with its length.
  const startMs = startOfQuery(target.query);
  const r: Resolved = startMs !== undefined ? { kind: 'file', file: (await describeRecorded(ctx, startMs)).media } : await resolveStream(server, target.path);
  conn.described = { path: target.path, query: target.query };
  // AAC configs by their core where the rest says nothing (server/sdp/aac-config.ts).
  const tracks = (r.kind === 'file' ? r.file.tracks : r.stream.tracks).map(describedAacTrack);
  const sdp = buildSdp({
    tracks,
    sessionName: target.path,
    serverAddress: conn.localAddress,
    // Files have a length (clients show a seek bar); a live stream is `npt=0-`.
    ...(r.kind === 'file' && !endStopsEos(req.headers.get('User-Agent')) ? { duration: r.file.duration } : {}),
    sessionId: hashPath(target.path),
    // Over RTSPS each medium is RTP/SAVP with the key it is sent with (as gortsplib's server does).
    ...(srtpOffered(conn) ? { keyMgmt: describeKeys(conn, target.path, r) } : {}),
  });
  return {
    headers: {
      'Content-Type': 'application/sdp',
      // ffmpeg honours Content-Base only on DESCRIBE; media controls are relative to it (INTEROP.md).
      'Content-Base': contentBase(req.uri),
    },
    body: sdp,
  };
};

function hashPath(p: string): number {
  let h = 2166136261;
  for (let i = 0; i < p.length; i++) h = Math.imul(h ^ p.charCodeAt(i), 16777619) >>> 0;
  return h;
}
