// What request handlers may use of the server: settings, sessions, paths, UDP ports, pacer, log.
import type { Auth } from '../auth/auth.js';
import type { Config } from '../config.js';
import type { Pacer } from '../core/pacer.js';
import type { PathManager } from '../core/path-manager.js';
import type { Logger } from '../log.js';
import type { RecordingReader } from '../record/read/recordings.js';
import type { NoticeLog } from '../limits/notice-log.js';
import type { MulticastHub } from './multicast-sender.js';
import type { RtspSession } from './session.js';
import type { UdpPortPair } from './udp-ports.js';

export interface ServerContext {
  readonly config: Config;
  readonly log: Logger;
  /** Users and permissions: every request is checked before its handler runs (access.ts). */
  readonly auth: Auth;
  /** Refusals and cut-offs, logged once per client address and minute. */
  readonly notices: NoticeLog;
  readonly paths: PathManager;
  readonly ports: UdpPortPair;
  /** Multicast groups and the one sender per live stream that multicast readers share. */
  readonly multicast: MulticastHub;
  readonly pacer: Pacer;
  readonly sessions: Map<string, RtspSession>;
  /** The RTSPS port bound, when RTSPS runs (refusals under rtspEncryption strict name it). */
  readonly rtspsPort?: number | undefined;
  /** Recordings read back by time (Range: clock=, ?start=), once the recorders run. */
  readonly recordingReader?: RecordingReader | undefined;
  /** Ends a session: stops its playback, sends BYE when asked, frees its routes, logs why. */
  destroySession(session: RtspSession, why: string, sendBye: boolean): void;
  /** A fresh unguessable session id. */
  newSessionId(): string;
}

export const SERVER_NAME = 'Tidecast/0.1';
