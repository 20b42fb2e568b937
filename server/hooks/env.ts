// The environment of a hook command: which path, who triggered it (publisher or reader), the server's ports, regex groups, segment fields.
import type { ClientProtocol } from '../core/clients.js';
import type { PathSourceInfo } from '../core/path-events.js';

export interface HookPorts {
  rtspPort: number;
  httpPort: number;
}

/** A reader, as the client registry describes it. */
export interface HookReader {
  protocol: ClientProtocol;
  id: string;
  address?: string;
  port?: number;
  query?: string;
}

/** A recording segment the recorder has closed. */
export interface RecordSegment {
  /** The segment's file. */
  file: string;
  /** Wall-clock time of its first sample. */
  start: Date;
  /** Seconds of media in it. */
  duration: number;
}

export interface HookContext {
  path: string;
  /** The path's source (runOnReady, runOnNotReady; and runOnRead/runOnUnread when the path is ready). */
  source?: PathSourceInfo;
  /** runOnRead/runOnUnread: the reader. */
  reader?: HookReader;
  /** Capture groups when the path's config came from a `~regex` name: G1..G9. */
  groups?: readonly string[];
  segment?: RecordSegment;
  /** runOnDemand: where to publish (with the path's source credentials when auth asks for them). */
  publishUrl?: string;
}

/** TIDECAST_READER_TYPE for each protocol of the client registry. */
const READER_TYPES: Record<ClientProtocol, string> = {
  'rtsp': 'rtspSession',
  'rtsp-udp': 'rtspSession',
  'rtsp-tcp': 'rtspSession',
  'rtsp-multicast': 'rtspSession',
  'rtsp-ws': 'rtspSession',
  'rtsp-http': 'rtspSession',
  'rtsps-udp': 'rtspsSession',
  'rtsps-tcp': 'rtspsSession',
  'progressive-mp4': 'progressive',
  'progressive-ts': 'progressive',
  'hls': 'hlsMuxer',
  'recording': 'recorder',
  'relay': 'relay',
};

/**
 * The variables a hook gets (beside the server's own environment). TIDECAST_REMOTE_ADDR/_PORT and
 * TIDECAST_QUERY are the reader's for reader hooks and the publisher's otherwise.
 */
export function hookEnv(ports: HookPorts, ctx: HookContext): Record<string, string> {
  const env: Record<string, string> = {
    TIDECAST_PATH: ctx.path,
    RTSP_PORT: String(ports.rtspPort),
    HTTP_PORT: String(ports.httpPort),
  };
  const set = (k: string, v: string | number | undefined): void => {
    if (v !== undefined && v !== '') env[k] = String(v);
  };
  const remote = ctx.reader ?? ctx.source;
  env.TIDECAST_QUERY = remote?.query ?? '';
  set('TIDECAST_REMOTE_ADDR', remote?.address);
  set('TIDECAST_REMOTE_PORT', remote?.port);
  set('TIDECAST_SOURCE_TYPE', ctx.source?.type);
  set('TIDECAST_SOURCE_ID', ctx.source?.id);
  if (ctx.reader) {
    set('TIDECAST_READER_TYPE', READER_TYPES[ctx.reader.protocol] ?? ctx.reader.protocol);
    set('TIDECAST_READER_ID', ctx.reader.id);
  }
  (ctx.groups ?? []).slice(0, 9).forEach((g, i) => (env[`G${i + 1}`] = g ?? ''));
  if (ctx.segment) {
    set('TIDECAST_SEGMENT_PATH', ctx.segment.file);
    set('TIDECAST_SEGMENT_START', ctx.segment.start.toISOString());
    set('TIDECAST_SEGMENT_DURATION', Number(ctx.segment.duration.toFixed(3)));
  }
  set('TIDECAST_PUBLISH_URL', ctx.publishUrl);
  return env;
}
