// The per-request view handed to a method handler.
import type { Presented } from '../../auth/credentials.js';
import type { ServerContext } from '../context.js';
import type { RtspRequest } from '../message.js';
import type { ConnectionInfo as SessionConnection, RtspSession } from '../session.js';
import type { RtspTarget } from '../url.js';

/** The connection a request came on: what sessions use of it, plus what kind of tunnel it is. */
export interface ConnectionInfo extends SessionConnection {
  /** WebSocket or HTTP tunnel: only interleaved transport can reach the client through it. */
  readonly tunnel: 'websocket' | 'http' | undefined;
  /** What a tunnel's opening HTTP request presented; requests without Authorization use it. */
  readonly credentials?: Presented | undefined;
  /** TLS under the connection (RTSPS, HTTPS/WSS tunnels). */
  readonly secure: boolean;
  /** The peer's port, when the transport has one: refusal logs name the client as address:port. */
  readonly remotePort?: number | undefined;
}

export interface RequestContext {
  server: ServerContext;
  conn: ConnectionInfo;
  req: RtspRequest;
  target: RtspTarget;
  session: RtspSession | undefined;
  /** Who is asking ('' anonymous): a session this request makes belongs to them. */
  owner?: string;
}

export interface HandlerResult {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Session to name in the Session header (a new one from SETUP). */
  session?: RtspSession;
  /** Runs after the response is written: e.g. PLAY starts sending only after its 200 (RTP-Info first). */
  after?: () => void;
}

export type Handler = (ctx: RequestContext) => Promise<HandlerResult> | HandlerResult;
