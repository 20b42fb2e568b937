// Paths and tracks as JSON records for the REST API (what a dashboard or a monitoring script needs).
import type { Track } from '../../media/track.js';
import type { PathManager } from '../../core/path-manager.js';
import type { Stream } from '../../core/stream.js';
import { videoInfo } from '../../mux/fmp4/index.js';

export interface TrackRecord {
  id: number;
  kind: Track['kind'];
  codec: Track['codec'];
  clockRate: number;
  width?: number;
  height?: number;
  channels?: number;
}

export interface LivePathRecord {
  name: string;
  kind: 'live';
  running: boolean;
  source?: string;
  redirect?: string;
  problem?: string;
  publisher?: { address: string; session: string; since: string };
  tracks: TrackRecord[];
  /** RTSP readers plus HTTP readers (progressive, HLS muxer). */
  readers: number;
  packets: number;
  bytes: number;
  since?: string;
}

export interface FilePathRecord {
  name: string;
  kind: 'file';
  /** Seconds, known once the file has been opened (demuxed). */
  duration?: number;
  tracks?: TrackRecord[];
}

export function trackRecord(t: Track): TrackRecord {
  const r: TrackRecord = { id: t.id, kind: t.kind, codec: t.codec, clockRate: t.clockRate };
  // A publisher's SDP rarely states the picture size: the SPS does.
  const size = t.kind === 'video' && (t.h264 || t.h265) ? videoInfo(t) : t;
  if (size.width) r.width = size.width;
  if (size.height) r.height = size.height;
  if (t.channels !== undefined) r.channels = t.channels;
  return r;
}

function streamFields(s: Stream | undefined): Pick<LivePathRecord, 'tracks' | 'readers' | 'packets' | 'bytes' | 'since'> {
  if (!s) return { tracks: [], readers: 0, packets: 0, bytes: 0 };
  return { tracks: s.tracks.map(trackRecord), readers: s.readerCount, packets: s.packets, bytes: s.bytes, since: new Date(s.createdAt).toISOString() };
}

export function livePathRecords(paths: PathManager): LivePathRecord[] {
  return paths.livePaths().map((p) => {
    const pub = p.path?.publisher;
    const rec: LivePathRecord = { name: p.name, kind: 'live', running: p.running, ...streamFields(p.path?.stream) };
    if (p.source !== undefined) rec.source = p.source;
    if (p.redirect !== undefined) rec.redirect = p.redirect;
    if (p.problem !== undefined) rec.problem = p.problem;
    if (pub) rec.publisher = { address: pub.address, session: pub.sessionId, since: pub.since.toISOString() };
    return rec;
  });
}

export function filePathRecords(paths: PathManager): FilePathRecord[] {
  return paths.list().map((name) => ({ name, kind: 'file' }));
}
