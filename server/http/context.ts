// What HTTP handlers may use: config, paths, logger and the ports (layers point down: no RTSP internals here).
import type { Auth } from '../auth/auth.js';
import type { Config } from '../config.js';
import type { DrainOptions } from '../core/drain.js';
import type { ConfigEditor } from '../config-editor.js';
import type { PathManager } from '../core/path-manager.js';
import type { SessionDirectory } from '../core/status.js';
import type { ComponentLogs, Logger } from '../log.js';
import type { RecordingIndex } from '../record/index-api.js';
import type { RecordingReader } from '../record/read/recordings.js';

/** A path's SDP for GET /<path>.sdp, made by the RTSP side (rtsp/http-descriptions.ts): HTTP knows no RTSP internals. */
export interface DescriptionSource {
  /**
   * `host`: the name the client reached this server by (Host header, no port), for the rtsp:// URLs.
   * Path errors (unknown path, nobody publishing) are thrown as the path manager's errors.
   */
  describe(path: string, host: string): Promise<{ sdp: string; multicast: boolean }>;
}

export interface HttpContext {
  config: Config;
  /** Users and permissions: the gate (auth/gate.ts) asks it before any route. */
  auth: Auth;
  paths: PathManager;
  log: Logger;
  /** The other components' loggers (HLS, API, ...): `log` is HTTP's. Absent in tests that build a context by hand. */
  logs?: ComponentLogs;
  /** The bound RTSP port (pages and playlists name it). */
  rtspPort: number;
  /** RTSP sessions and connections, for the API and metrics. */
  sessions: SessionDirectory;
  /** The package version, for the API. */
  version: string;
  /** The config API's edits (reload/reloader.ts), set once the paths are configured. */
  configEditor?: ConfigEditor;
  /** The recordings on disk (record/), set once the recorders run. */
  recordings?: RecordingIndex;
  /** Recordings read back by time (playback.mp4/.ts/.m3u8), set with `recordings`. */
  recordingReader?: RecordingReader;
  /** GET /<path>.sdp and /<path>/description.sdp, set once RTSP runs (docs/sdp-sap.md). */
  descriptions?: DescriptionSource;
  /** Drains the server (app.ts): redirects every client, then closes; set once it runs. */
  drain?: (opts: DrainOptions) => Promise<unknown>;
}
