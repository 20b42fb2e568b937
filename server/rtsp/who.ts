// Who a log line is about: the client as address:port and the user it logged in as, in a line's text and in its fields.
import { clientOf, userOf } from './refusal-log.js';
import type { RequestContext } from './methods/request-context.js';
import type { RtspSession } from './session.js';

export interface Who {
  /** `address:port` (IPv6 in brackets). */
  client: string;
  /** The user named by the request or that made the session; absent when anonymous. */
  user?: string;
}

/** The client of a request, with the user its Authorization names (or its session's owner). */
export function requestWho(ctx: Pick<RequestContext, 'conn' | 'req' | 'session'>): Who {
  const user = userOf(ctx.req.headers.get('Authorization'), ctx.req.method) || ctx.session?.owner || undefined;
  return who(ctx.conn.remoteAddress, ctx.conn.remotePort, user);
}

/** The client that set a session up, and its owner. */
export function sessionWho(s: RtspSession): Who {
  // The connection is the server's Connection, which knows the peer's port.
  const port = (s.connection as { remotePort?: number }).remotePort;
  return who(s.connection.remoteAddress ?? s.peerAddress, port, s.owner || undefined);
}

function who(address: string, port: number | undefined, user: string | undefined): Who {
  return { client: clientOf(address.replace(/^::ffff:/, ''), port), ...(user !== undefined ? { user } : {}) };
}

/** `127.0.0.1:51234 alice`: how a line starts. */
export function whoText(w: Who): string {
  return w.user !== undefined ? `${w.client} ${w.user}` : w.client;
}
