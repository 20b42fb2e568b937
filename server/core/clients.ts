// Every reader and publisher of the server, whatever its protocol: one registry the API, metrics, hooks and the dashboard read.
// Delivery layers (RTSP, progressive HTTP, HLS, recording) register what they serve; the registry keeps no
// packets and does no per-packet work: records are built only when someone asks (snapshot()).

import type { QosRecord } from './qos.js';

/** How a client reaches the server. RTSP's lower transport is part of it: that is what an operator debugs. */
export type ClientProtocol =
  | 'rtsp-udp'
  | 'rtsp-tcp'
  | 'rtsp-multicast'
  | 'rtsp-ws'
  | 'rtsp-http'
  | 'rtsps-udp'
  | 'rtsps-tcp'
  /** An RTSP session with no track set up yet (DESCRIBE/SETUP in progress, ANNOUNCE before RECORD). */
  | 'rtsp'
  | 'progressive-mp4'
  | 'progressive-ts'
  | 'hls'
  | 'recording'
  /** A relay source: our own RTSP client pulls an upstream stream and publishes it in-process. */
  | 'relay';

export const CLIENT_PROTOCOLS: readonly ClientProtocol[] = [
  'rtsp-udp', 'rtsp-tcp', 'rtsp-multicast', 'rtsp-ws', 'rtsp-http', 'rtsps-udp', 'rtsps-tcp', 'rtsp',
  'progressive-mp4', 'progressive-ts', 'hls', 'recording', 'relay',
];

/** The latest RTCP receiver-report figures of one track (RFC 3550 §6.4.1). */
export interface ReceiverReportFigures {
  trackId: number;
  /** 0..1 over the last report interval. */
  fractionLost: number;
  cumulativeLost: number;
  /** Interarrival jitter in milliseconds (converted from the track's clock). */
  jitterMs: number;
}

/** One client as the API returns it (GET /api/v1/sessions): plain JSON, no live objects. */
export interface ClientRecord {
  /** Unique while the server runs; DELETE /api/v1/sessions/<id> kicks it. RTSP sessions keep their Session id. */
  id: string;
  role: 'reader' | 'publisher';
  protocol: ClientProtocol;
  path: string;
  /** Authenticated user, when there is one (never a password). */
  user?: string;
  /** Client address and port ("127.0.0.1", 51234); a recording has none. */
  address?: string;
  port?: number;
  /** The URL query the client gave (without '?'), when it gave one: hooks pass it as TIDECAST_QUERY. */
  query?: string;
  /** RFC 3339. */
  since: string;
  /** Bytes sent to a reader, or received from a publisher. */
  bytes: number;
  /** Bits per second over the last few seconds. */
  bitrate: number;
  /** Packets sent to a reader, or received from a publisher, when the protocol counts them (RTP: RTSP). */
  packets?: number;
  /** RTSP: the session's state (ready, playing, recording). */
  state?: string;
  /** Packets not sent because the client's queue was full (slow reader). */
  dropped?: number;
  receiverReports?: ReceiverReportFigures[];
  /** RTSP readers: their link as their receiver reports show it, and their thinning (core/qos.ts, docs/qos.md). */
  qos?: QosRecord;
  /** HLS: requests per second over the last few seconds and the client addresses seen (one record per muxer). */
  requestRate?: number;
  clientsSeen?: string[];
  /** RTSP: what the session does (as /api/v1/sessions said before: file playback, live read, publish). */
  media?: 'file' | 'live' | 'publish';
  /** RTSP: the lower transport of each set-up track. */
  transports?: ('udp' | 'tcp' | 'multicast')[];
}

/** What a delivery layer registers: the registry asks it for a record and tells it to go. */
export interface ClientHandle {
  /** A fresh record (called by the API and metrics only, never per packet). */
  snapshot(): ClientRecord;
  /** End this client now (an RTSP reader gets BYE and its connection closes); `reason` goes to its log line. */
  kick(reason: string): void;
  /**
   * Asks the client to go on at `location` (an RTSP session gets REDIRECT, RFC 2326 §10.10; a web
   * player on a WebSocket is also told `httpBase`'s WebSocket); false
   * when it cannot be asked. Clients without it (HTTP, relays, recordings) cannot be redirected.
   */
  redirect?(location: string, httpBase?: string): boolean;
}

export interface ClientEvents {
  /** A client registered (a reader started reading, a publisher started publishing). */
  added(record: ClientRecord): void;
  /** It left, whatever the reason; the record is its last snapshot. */
  removed(record: ClientRecord): void;
}

export class ClientRegistry {
  private readonly clients = new Map<string, ClientHandle>();
  private readonly listeners: Partial<ClientEvents>[] = [];
  private nextId = 1;

  /** A fresh id for clients that have none of their own ("hls-12"). */
  newId(prefix: string): string {
    return `${prefix}-${this.nextId++}`;
  }

  /** Registers a client; the returned function removes it (idempotent). */
  add(id: string, handle: ClientHandle): () => void {
    this.clients.set(id, handle);
    const rec = safeSnapshot(handle);
    if (rec) for (const l of this.listeners) l.added?.(rec);
    let removed = false;
    return () => {
      if (removed || this.clients.get(id) !== handle) return;
      removed = true;
      const last = safeSnapshot(handle);
      this.clients.delete(id);
      if (last) for (const l of this.listeners) l.removed?.(last);
    };
  }

  /** Listen to clients coming and going (hooks: runOnRead/runOnUnread); returns an unsubscribe. */
  on(events: Partial<ClientEvents>): () => void {
    this.listeners.push(events);
    return () => {
      const i = this.listeners.indexOf(events);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  list(): ClientRecord[] {
    return [...this.clients.values()].flatMap((h) => safeSnapshot(h) ?? []);
  }

  get(id: string): ClientRecord | undefined {
    const h = this.clients.get(id);
    return h ? safeSnapshot(h) : undefined;
  }

  /** Ends one client; false when there is no such id. */
  kick(id: string, reason: string): boolean {
    const h = this.clients.get(id);
    if (!h) return false;
    h.kick(reason);
    return true;
  }

  /** Redirects one client: 'sent', 'unsupported' (its protocol cannot be told, or it is unreachable) or 'missing'. */
  redirect(id: string, location: string, httpBase?: string): 'sent' | 'unsupported' | 'missing' {
    const h = this.clients.get(id);
    if (!h) return 'missing';
    return h.redirect?.(location, httpBase) ? 'sent' : 'unsupported';
  }

  /** The handles themselves, for server-wide actions (drain). */
  handles(): [string, ClientHandle][] {
    return [...this.clients.entries()];
  }

  get size(): number {
    return this.clients.size;
  }
}

/** A record, or undefined when a client's snapshot throws (it is going away): one bad client never breaks a listing. */
function safeSnapshot(h: ClientHandle): ClientRecord | undefined {
  try {
    return h.snapshot();
  } catch {
    return undefined;
  }
}

/** Bits per second from a byte counter, sampled when asked: keep one per client, call with the running total. */
export class BitrateMeter {
  private samples: { at: number; bytes: number }[] = [];

  constructor(
    private readonly windowMs = 5000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The rate over the window ending now, given the counter's current total. */
  rate(totalBytes: number): number {
    const at = this.now();
    this.samples.push({ at, bytes: totalBytes });
    while (this.samples.length > 2 && at - this.samples[1]!.at >= this.windowMs) this.samples.shift();
    if (this.samples.length > 16) this.samples.splice(1, this.samples.length - 16);
    const first = this.samples[0]!;
    const dt = at - first.at;
    return dt > 0 ? Math.round(((totalBytes - first.bytes) * 8 * 1000) / dt) : 0;
  }
}
