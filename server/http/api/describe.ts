// Paths and tracks as JSON records for the REST API (what a dashboard or a monitoring script needs).
import type { Track } from '../../media/track.js';
import type { PathManager } from '../../core/path-manager.js';
import type { Stream } from '../../core/stream.js';
import { videoInfo } from '../../mux/fmp4/index.js';
import { PathTraffic, type PathTrafficFields } from './path-traffic.js';

export interface TrackRecord {
  id: number;
  kind: Track['kind'];
  codec: Track['codec'];
  clockRate: number;
  width?: number;
  height?: number;
  channels?: number;
  /** The track's language (ISO 639 code or RFC 5646 tag, as its source gave it). */
  language?: string;
  /** The track's title, as its source gave it. */
  name?: string;
}

/** What feeds a live path. */
export interface PathSourceRecord {
  /** relay, ffmpeg (configured sources), publisher (RTSP RECORD, or waiting for one), redirect. */
  type: 'relay' | 'ffmpeg' | 'publisher' | 'redirect' | 'source';
  description: string;
  /** relay: the upstream URL (credentials removed). */
  url?: string;
  /** publisher: its address. */
  address?: string;
}

/** idle: nothing runs; starting: a source or publisher is on its way; ready: the stream is live; redirect: answers 302. */
export type PathState = 'idle' | 'starting' | 'ready' | 'redirect';

export interface LivePathRecord extends PathTrafficFields {
  name: string;
  kind: 'live';
  state: PathState;
  running: boolean;
  source: PathSourceRecord;
  redirect?: string;
  problem?: string;
  publisher?: { address: string; session: string; since: string };
  tracks: TrackRecord[];
  packets: number;
  /** Same as bytesIn (kept for earlier clients). */
  bytes: number;
  since?: string;
}

export interface FilePathRecord extends Partial<PathTrafficFields> {
  name: string;
  kind: 'file';
  state?: 'ready';
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
  if (t.language !== undefined) r.language = t.language;
  if (t.name !== undefined) r.name = t.name;
  return r;
}

function streamFields(s: Stream | undefined): Pick<LivePathRecord, 'tracks' | 'packets' | 'bytes' | 'since'> {
  if (!s) return { tracks: [], packets: 0, bytes: 0 };
  return { tracks: s.tracks.map(trackRecord), packets: s.packets, bytes: s.bytes, since: new Date(s.createdAt).toISOString() };
}

type LiveEntry = ReturnType<PathManager['livePaths']>[number];

function sourceRecord(p: LiveEntry): PathSourceRecord {
  if (p.redirect !== undefined) return { type: 'redirect', description: `redirect to ${p.redirect}` };
  const pub = p.path?.publisher;
  if (p.source !== undefined) {
    const relay = /^relay from (\S+)/.exec(p.source);
    if (relay) return { type: 'relay', description: p.source, url: relay[1]! };
    return { type: p.source.startsWith('ffmpeg') ? 'ffmpeg' : 'source', description: p.source };
  }
  if (pub) return { type: 'publisher', description: `RTSP publisher ${pub.address}`, address: pub.address };
  return { type: 'publisher', description: 'waiting for a publisher (RTSP ANNOUNCE/RECORD)' };
}

function stateOf(paths: PathManager, p: LiveEntry): PathState {
  if (p.redirect !== undefined) return 'redirect';
  if (p.running) return 'ready';
  if (paths.sourceOf(p.name)?.isRunning || p.path?.publisher) return 'starting';
  return 'idle';
}

/** Every live path; `only` picks one by name. */
export function livePathRecords(paths: PathManager, traffic: PathTraffic, only?: string): LivePathRecord[] {
  const clients = PathTraffic.clientsByPath(paths.clients);
  return paths.livePaths().flatMap((p) => {
    if (only !== undefined && p.name !== only) return [];
    const pub = p.path?.publisher;
    const stream = p.path?.stream;
    const rec: LivePathRecord = {
      name: p.name,
      kind: 'live',
      state: stateOf(paths, p),
      running: p.running,
      source: sourceRecord(p),
      ...streamFields(stream),
      ...traffic.fields(p.name, clients.get(p.name) ?? [], stream),
    };
    if (p.redirect !== undefined) rec.redirect = p.redirect;
    if (p.problem !== undefined) rec.problem = p.problem;
    if (pub) rec.publisher = { address: pub.address, session: pub.sessionId, since: pub.since.toISOString() };
    return [rec];
  });
}

export function filePathRecords(paths: PathManager): FilePathRecord[] {
  return paths.list().map((name) => ({ name, kind: 'file' }));
}
