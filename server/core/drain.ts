// Draining a server: new sessions are sent elsewhere (302), the clients it has are redirected, and it is done when they are gone or the grace time ends.
import type { ClientRecord, ClientRegistry } from './clients.js';

export interface DrainOptions {
  /** Base URL of the server that takes over, `rtsp://host:port`: each session goes to `<location>/<path>`. */
  location: string;
  /** Base URL of its HTTP port, `http://host:port`: HLS and progressive requests answer 302 there, the player's WebSocket goes there. */
  httpLocation?: string | undefined;
  /** How long clients have to move before those left are torn down, milliseconds. */
  graceMs: number;
}

export interface DrainTarget extends DrainOptions {
  /** Date.now() when the drain began. */
  since: number;
}

/** What a drain did: clients redirected, clients that could not be told, and those torn down at the grace time. */
export interface DrainReport {
  redirected: number;
  unreachable: number;
  tornDown: number;
  /** Milliseconds from the start until no client was left (or the grace time ran out). */
  tookMs: number;
}

/** `<base>/<path>[?query]`: where a client of `path` goes; a base that already names a path is used as is. */
export function relocate(base: string, path: string, query?: string): string {
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    return base;
  }
  if (u.pathname !== '/' && u.pathname !== '') return base;
  return `${base.replace(/\/+$/, '')}/${path}${query ? `?${query}` : ''}`;
}

/** The server's drain, once begun (PathManager holds one; delivery layers consult it for new requests). */
export class DrainState {
  target: DrainTarget | undefined;

  /** Where a new RTSP request for `path` goes while draining, else undefined. */
  rtspLocation(path: string): string | undefined {
    return this.target && path ? relocate(this.target.location, path) : undefined;
  }

  /** Where an HTTP request for `urlPath` (with its query) goes while draining with an HTTP target, else undefined. */
  httpLocation(urlPath: string): string | undefined {
    const http = this.target?.httpLocation;
    return http ? `${http.replace(/\/+$/, '')}${urlPath.startsWith('/') ? '' : '/'}${urlPath}` : undefined;
  }
}

/** Clients a drain waits for: RTSP sessions and progressive HTTP readers (in-process relays, recordings and HLS muxers end with the server). */
export function heldByClient(r: ClientRecord): boolean {
  return r.protocol.startsWith('rtsp') || r.protocol.startsWith('progressive');
}

/**
 * Begins a drain (`state.target` set: new requests are answered 302 from now on), redirects every
 * RTSP session to `<location>/<path>`, ends progressive HTTP readers (a player reconnects through
 * the 302), then waits until no such client is left or `graceMs` runs out; those left are kicked.
 */
export async function drainClients(clients: ClientRegistry, state: DrainState, opts: DrainOptions, poll = 100): Promise<DrainReport> {
  const since = Date.now();
  state.target = { ...opts, since };
  let redirected = 0;
  let unreachable = 0;
  for (const [id, h] of clients.handles()) {
    const r = clients.get(id);
    if (!r || !heldByClient(r)) continue;
    if (r.protocol.startsWith('progressive')) {
      h.kick(`the server is draining to ${opts.httpLocation ?? opts.location}`);
      continue;
    }
    if (h.redirect?.(relocate(opts.location, r.path, r.query), opts.httpLocation)) redirected++;
    else unreachable++;
  }
  const deadline = since + opts.graceMs;
  const left = (): ClientRecord[] => clients.list().filter(heldByClient);
  while (left().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, poll));
  let tornDown = 0;
  for (const r of left()) if (clients.kick(r.id, `the drain's grace time of ${Math.round(opts.graceMs / 1000)} s ran out`)) tornDown++;
  return { redirected, unreachable, tornDown, tookMs: Date.now() - since };
}
