// RTSP client for relay sources: pulls a stream from an upstream camera or server (RFC 2326), TCP-interleaved or UDP.

import { EventEmitter } from 'node:events';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import sdpTransform from 'sdp-transform';
import { STATUS_REASONS } from '../../rtsp/errors.js';
import { RtspHeaders, type RtspHeadersInit } from '../../rtsp/headers-map.js';
import { answerChallenge, formatAuthorization, pickChallenge, type Credentials } from '../../rtsp/headers/authorization.js';
import { parsePublic } from '../../rtsp/headers/public.js';
import { formatRange } from '../../rtsp/headers/range.js';
import { parseRtpInfo, type RtpInfoEntry, type RtpInfoHeader } from '../../rtsp/headers/rtp-info.js';
import { parseSession } from '../../rtsp/headers/session.js';
import { formatTransport, parseTransport, type TransportHeader } from '../../rtsp/headers/transport.js';
import { formatChallenge, parseWwwAuthenticate, type AuthChallenge } from '../../rtsp/headers/www-authenticate.js';
import { serializeRequest, serializeResponse, type RtspResponse } from '../../rtsp/message.js';
import { RtspParser } from '../../rtsp/parser.js';

export type { RtspResponse };

export interface RtspClientOptions {
  /** Limit for connecting and for each request's answer; default 10 000 ms. */
  timeoutMs?: number;
  /** Default "Tidecast/0.1". */
  userAgent?: string;
  /** Default 'tcp' (interleaved): it crosses NAT and firewalls, and is what MediaMTX uses for relays. */
  transport?: 'tcp' | 'udp';
  /** After PLAY, close when no RTP arrives for this long; default 10 000 ms (ffmpeg's UDP timeout). */
  readTimeoutMs?: number;
  /** Extra options for rtsps:// (e.g. `rejectUnauthorized: false` for a camera's self-signed certificate). */
  tls?: ConnectionOptions;
  onRtp?: (mediaIndex: number, packet: Uint8Array) => void;
  onRtcp?: (mediaIndex: number, data: Uint8Array) => void;
}

/** One m= section of the upstream SDP and the URL its SETUP goes to. */
export interface DescribedMedia {
  index: number;
  /** The m= media type: "video", "audio", "application"... */
  type: string;
  /** Absolute control URL, resolved as ffmpeg does (see resolveControl). */
  control: string;
}

export interface DescribeResult {
  /** The URL the DESCRIBE finally succeeded on (after redirects), without credentials. */
  url: string;
  /** The SDP exactly as received: codecs are parsed by server/sdp, not here. */
  sdp: string;
  /** Content-Base, else Content-Location, else the request URL (RFC 2326 §C.1.1). */
  baseUrl: string;
  /** Where PLAY, keepalives and TEARDOWN go: an absolute session-level a=control, else the base URL. */
  aggregateControl: string;
  medias: DescribedMedia[];
}

export interface PlayMedia extends DescribedMedia {
  /** The server's Transport reply to this media's SETUP. */
  transport: TransportHeader;
  /** TCP: the `$` channels carrying RTP and RTCP. */
  interleaved?: [number, number];
  /** UDP: our local RTP/RTCP ports. */
  clientPorts?: [number, number];
  /** This media's RTP-Info entry: the seq and rtptime of the first packet PLAY delivers. */
  rtpInfo?: RtpInfoEntry;
}

export interface PlaySession extends DescribeResult {
  transport: 'tcp' | 'udp';
  sessionId: string;
  /** Session timeout in seconds (default 60); keepalives go every half of it. */
  timeoutS: number;
  medias: PlayMedia[];
  /** The PLAY reply's RTP-Info, as parsed (undefined when absent or unreadable). */
  rtpInfo?: RtpInfoHeader;
  /** The PLAY reply's Range header, raw. */
  range?: string;
}

export type CloseKind = 'local' | 'socket' | 'read-timeout' | 'error';

export interface CloseReason {
  /** local: close() was called; socket: upstream closed; read-timeout: no RTP for readTimeoutMs; error: anything else. */
  kind: CloseKind;
  message: string;
  error?: Error;
}

/** A failed exchange with the upstream; `status` is the RTSP status when the upstream answered. */
export class RtspClientError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'RtspClientError';
    this.status = status;
  }
}

interface Target {
  secure: boolean;
  host: string;
  port: number;
  credentials?: Credentials;
  /** The URL without user:password, as sent on request lines. */
  clean: string;
}

interface Pending {
  cseq: number;
  method: string;
  uri: string;
  resolve: (r: RtspResponse) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface UdpPair {
  rtp: UdpSocket;
  rtcp: UdpSocket;
  ports: [number, number];
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_READ_TIMEOUT_MS = 10_000;
const DEFAULT_SESSION_TIMEOUT_S = 60;
const MAX_REDIRECTS = 3;
const USER_AGENT = 'Tidecast/0.1';
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * One RTSP connection to an upstream. `connect()` opens it; `play()` runs OPTIONS, DESCRIBE,
 * SETUP per media and PLAY, then delivers packets to onRtp/onRtcp until `close()` or a failure,
 * which is reported once through the 'close' event and the `closed` promise.
 */
export class RtspClient extends EventEmitter {
  /** Resolves (never rejects) once the client is closed, with why. */
  readonly closed: Promise<CloseReason>;
  onRtp: ((mediaIndex: number, packet: Uint8Array) => void) | undefined;
  onRtcp: ((mediaIndex: number, data: Uint8Array) => void) | undefined;

  private readonly timeoutMs: number;
  private readonly readTimeoutMs: number;
  private readonly userAgent: string;
  private readonly tlsOptions: ConnectionOptions | undefined;
  private preferredTransport: 'tcp' | 'udp';
  private target: Target;
  private socket: Socket | undefined;
  private parser = new RtspParser();
  private cseq = 0;
  private readonly pending = new Map<number, Pending>();
  private sessionId: string | undefined;
  private sessionTimeoutS = DEFAULT_SESSION_TIMEOUT_S;
  private auth: { challenge: AuthChallenge; nc: number } | undefined;
  /** Why the last 401 could not be answered, for the error message. */
  private authProblem: string | undefined;
  private publicMethods: string[] | undefined;
  private optionsDone = false;
  private described: DescribeResult | undefined;
  private playing: PlaySession | undefined;
  /** `$` channel -> media and whether it carries RTCP. */
  private readonly channels = new Map<number, { media: number; rtcp: boolean }>();
  private readonly udp: UdpPair[] = [];
  private keepaliveTimer: ReturnType<typeof setInterval> | undefined;
  private readTimer: ReturnType<typeof setInterval> | undefined;
  private lastPacketAt = 0;
  private closing = false;
  private isClosed = false;
  private closeReason: CloseReason | undefined;
  private resolveClosed!: (r: CloseReason) => void;
  private socketError: Error | undefined;

  private constructor(target: Target, opts: RtspClientOptions) {
    super();
    this.target = target;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.readTimeoutMs = opts.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
    this.userAgent = opts.userAgent ?? USER_AGENT;
    this.preferredTransport = opts.transport ?? 'tcp';
    this.tlsOptions = opts.tls;
    this.onRtp = opts.onRtp;
    this.onRtcp = opts.onRtcp;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /** Opens the TCP (or TLS, for rtsps://) connection; user:password in the URL are kept for a 401 and never sent in URLs. */
  static async connect(url: string, opts: RtspClientOptions = {}): Promise<RtspClient> {
    const client = new RtspClient(parseRtspUrl(url), opts);
    await client.open();
    return client;
  }

  /** The upstream URL without credentials (after redirects, the one that answered). */
  get url(): string {
    return this.target.clean;
  }

  /** Methods the upstream listed in its OPTIONS reply, when it did. */
  get publicHeader(): string[] | undefined {
    return this.publicMethods;
  }

  get session(): PlaySession | undefined {
    return this.playing;
  }

  /**
   * Sends one request and waits for its answer. Adds CSeq, User-Agent, Session once known and
   * Authorization once challenged; on a 401 it answers the challenge once with the URL's
   * credentials. Any status resolves: a non-2xx answer is the caller's to judge.
   */
  async request(method: string, url: string, headers?: RtspHeadersInit, body?: Uint8Array | string): Promise<RtspResponse> {
    const uri = stripUserinfo(url);
    const bytes = typeof body === 'string' ? encoder.encode(body) : body;
    const res = await this.send(method, uri, headers, bytes);
    if (res.status !== 401) {
      if (res.status < 300) this.authProblem = undefined;
      return res;
    }
    const challenges: AuthChallenge[] = [];
    for (const v of res.headers.getAll('WWW-Authenticate')) {
      try {
        challenges.push(...parseWwwAuthenticate(v));
      } catch {
        // One unreadable challenge must not hide a usable one in another header line.
      }
    }
    const offered = challenges.length === 0 ? 'no WWW-Authenticate challenge' : challenges.map(describeChallenge).join(' or ');
    const creds = this.target.credentials;
    if (creds === undefined) {
      this.authProblem = `it asks for ${offered}, and the source URL has no user:password@`;
      return res;
    }
    const challenge = pickChallenge(challenges);
    if (challenge === undefined) {
      this.authProblem = `it asks for ${offered}, which Tidecast cannot answer (only Basic and MD5 Digest)`;
      return res;
    }
    // A second 401 to the same challenge means the password is wrong; a new nonce (stale) is worth one retry.
    this.auth = { challenge, nc: 0 };
    const retry = await this.send(method, uri, headers, bytes);
    if (retry.status === 401) {
      this.authProblem = `it rejected the credentials of user ${JSON.stringify(creds.username)} (${describeChallenge(challenge)})`;
    } else if (retry.status < 300) {
      this.authProblem = undefined;
    }
    return retry;
  }

  /** OPTIONS (once per connection) and DESCRIBE, following up to 3 redirects; resolves the control URLs. */
  async describe(): Promise<DescribeResult> {
    if (this.described) return this.described;
    for (let redirects = 0; ; redirects++) {
      const url = this.target.clean;
      if (!this.optionsDone) await this.options(url);
      const res = await this.request('DESCRIBE', url, { Accept: 'application/sdp' });
      const location = res.headers.get('Location');
      if (res.status >= 300 && res.status < 400 && location !== undefined) {
        if (redirects >= MAX_REDIRECTS) {
          throw new RtspClientError(`upstream ${url} redirected DESCRIBE more than ${MAX_REDIRECTS} times (last to ${stripUserinfo(location)})`, res.status);
        }
        await this.redirect(location);
        continue;
      }
      if (res.status !== 200) throw this.statusError('DESCRIBE', url, res);
      const type = res.headers.get('Content-Type');
      if (type !== undefined && !/^application\/sdp\b/i.test(type.trim())) {
        throw new RtspClientError(`upstream ${url} answered DESCRIBE with ${type}, not application/sdp`);
      }
      const sdp = decoder.decode(res.body);
      if (sdp.trim() === '') throw new RtspClientError(`upstream ${url} answered DESCRIBE with an empty SDP`);
      this.described = resolveControls(url, sdp, res.headers);
      return this.described;
    }
  }

  /**
   * DESCRIBE, SETUP every media and PLAY from the start (`Range: npt=0.000-`). Packets go to
   * onRtp/onRtcp from the moment PLAY is answered, so set those first.
   */
  async play(): Promise<PlaySession> {
    if (this.playing) return this.playing;
    this.assertOpen('PLAY');
    const described = await this.describe();
    if (described.medias.length === 0) throw new RtspClientError(`upstream ${described.url} described no media (no m= line in its SDP)`);
    const medias: PlayMedia[] = [];
    for (const media of described.medias) medias.push(await this.setup(media, medias.length === 0));
    const aggregate = described.aggregateControl;
    const res = await this.request('PLAY', aggregate, { Range: formatRange({ unit: 'npt', start: 0 }) });
    if (res.status !== 200) throw this.statusError('PLAY', aggregate, res);

    let rtpInfo: RtpInfoHeader | undefined;
    const rawInfo = res.headers.get('RTP-Info');
    if (rawInfo !== undefined) {
      try {
        rtpInfo = parseRtpInfo(rawInfo);
      } catch {
        rtpInfo = undefined; // optional for playing: without it the first packet sets the base
      }
    }
    // Packets in the same chunk as the PLAY answer are delivered before this runs, and may have failed.
    if (this.closeReason) throw new RtspClientError(this.closeReason.message);
    if (rtpInfo) matchRtpInfo(medias, rtpInfo);
    const range = res.headers.get('Range');
    this.playing = {
      ...described,
      transport: medias[0]!.clientPorts ? 'udp' : 'tcp',
      sessionId: this.sessionId ?? '',
      timeoutS: this.sessionTimeoutS,
      medias,
      ...(rtpInfo ? { rtpInfo } : {}),
      ...(range !== undefined ? { range } : {}),
    };
    this.startTimers();
    return this.playing;
  }

  /** TEARDOWN (best effort, short wait) and close everything. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.isClosed || this.closing) {
      await this.closed;
      return;
    }
    this.closing = true;
    this.stopTimers();
    if (this.sessionId !== undefined && this.socket && !this.socket.destroyed) {
      const url = this.playing?.aggregateControl ?? this.described?.aggregateControl ?? this.target.clean;
      try {
        await this.send('TEARDOWN', url, undefined, undefined, Math.min(this.timeoutMs, 2000));
      } catch {
        // The upstream will time the session out on its own.
      }
    }
    this.shutdown('local', 'closed by Tidecast');
    await this.closed;
  }

  // ---- connection ----

  private open(): Promise<void> {
    const t = this.target;
    this.parser = new RtspParser();
    this.optionsDone = false;
    return new Promise((resolve, reject) => {
      const socket = t.secure
        ? tlsConnect({ host: t.host, port: t.port, servername: isIp(t.host) ? undefined : t.host, ...this.tlsOptions })
        : netConnect({ host: t.host, port: t.port });
      this.socket = socket;
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new RtspClientError(`upstream ${t.clean} did not accept a connection within ${seconds(this.timeoutMs)}`));
      }, this.timeoutMs);
      const onConnectError = (err: Error) => {
        clearTimeout(timer);
        reject(new RtspClientError(`could not connect to upstream ${t.clean}: ${err.message}`));
      };
      socket.once('error', onConnectError);
      socket.once(t.secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onConnectError);
        socket.on('error', (err) => {
          if (socket === this.socket) this.socketError = err;
        });
        socket.on('close', () => this.onSocketClose(socket));
        socket.on('data', (chunk: Buffer) => {
          if (socket === this.socket) this.onData(chunk);
        });
        resolve();
      });
    });
  }

  /** Follows a 3xx Location: a different host or port needs a new connection (and a new OPTIONS). */
  private async redirect(location: string): Promise<void> {
    let next: Target;
    try {
      next = parseRtspUrl(absolutize(location.trim(), this.target.clean));
    } catch {
      throw new RtspClientError(`upstream ${this.target.clean} redirected to ${JSON.stringify(stripUserinfo(location))}, which is not an rtsp:// URL`);
    }
    // gortsplib carries the credentials over to the new URL too: the user trusts the upstream that redirects.
    if (next.credentials === undefined && this.target.credentials !== undefined) next.credentials = this.target.credentials;
    const sameServer = next.host === this.target.host && next.port === this.target.port && next.secure === this.target.secure;
    this.target = next;
    this.auth = undefined;
    if (sameServer) return;
    const old = this.socket;
    this.socket = undefined;
    old?.destroy();
    await this.open();
  }

  private onSocketClose(socket: Socket): void {
    if (socket !== this.socket) return; // replaced after a redirect
    if (this.closing) {
      this.shutdown('local', 'closed by Tidecast');
      return;
    }
    const err = this.socketError;
    if (err) this.shutdown('error', `connection to upstream ${this.target.clean} failed: ${err.message}`, err);
    else this.shutdown('socket', `upstream ${this.target.clean} closed the connection`);
  }

  private onData(chunk: Uint8Array): void {
    try {
      this.dispatch(chunk);
    } catch (err) {
      // A throwing onRtp/onRtcp must end this relay, not the process (it runs in a socket callback).
      this.shutdown('error', `handling data from upstream ${this.target.clean} failed: ${(err as Error).message}`, err as Error);
    }
  }

  private dispatch(chunk: Uint8Array): void {
    for (const item of this.parser.push(chunk)) {
      switch (item.type) {
        case 'interleaved': {
          const route = this.channels.get(item.channel);
          if (route === undefined) break; // a channel we never set up: ignore, as ffmpeg does
          if (route.rtcp) this.onRtcp?.(route.media, item.data);
          else {
            this.lastPacketAt = performance.now();
            this.onRtp?.(route.media, item.data);
          }
          break;
        }
        case 'response': {
          const raw = item.message.headers.get('CSeq')?.trim();
          // Answers come in order on one connection, so one without a usable CSeq goes to the oldest
          // request; one with an unknown CSeq is a late answer to a request that timed out: dropped.
          const p = raw !== undefined && /^\d+$/.test(raw) ? this.pending.get(Number(raw)) : this.pending.values().next().value;
          if (p === undefined) break;
          this.settle(p);
          p.resolve(item.message);
          break;
        }
        case 'request': {
          // RFC 2326 §10: a server may send requests (ANNOUNCE, SET_PARAMETER...); we implement none.
          const headers = new RtspHeaders();
          const cseq = item.message.headers.get('CSeq');
          if (cseq !== undefined) headers.set('CSeq', cseq);
          this.write(serializeResponse({ version: 'RTSP/1.0', status: 501, reason: STATUS_REASONS[501]!, headers, body: new Uint8Array(0) }));
          break;
        }
        case 'error': {
          const p = (item.cseq !== undefined ? this.pending.get(Number(item.cseq)) : undefined) ?? this.pending.values().next().value;
          const message = `upstream ${this.target.clean} sent an unreadable answer: ${item.error.reason}`;
          if (p) {
            this.settle(p);
            p.reject(new RtspClientError(`${message} (to ${p.method})`));
          }
          if (this.parser.closed) this.shutdown('error', message, item.error);
          break;
        }
      }
    }
  }

  private send(method: string, uri: string, extra: RtspHeadersInit | undefined, body: Uint8Array | undefined, timeoutMs = this.timeoutMs): Promise<RtspResponse> {
    this.assertOpen(method);
    const cseq = ++this.cseq;
    const headers = new RtspHeaders();
    headers.set('CSeq', String(cseq));
    headers.set('User-Agent', this.userAgent);
    if (this.sessionId !== undefined) headers.set('Session', this.sessionId);
    if (this.auth && this.target.credentials) {
      const a = this.auth;
      a.nc++;
      headers.set('Authorization', formatAuthorization(answerChallenge(a.challenge, this.target.credentials, method, uri, { nc: a.nc })));
    }
    for (const [name, value] of new RtspHeaders(extra)) headers.set(name, value);
    const bytes = serializeRequest({ method, uri, version: 'RTSP/1.0', headers, body: body ?? new Uint8Array(0) });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(cseq);
        reject(new RtspClientError(`upstream ${uri} did not answer ${method} within ${seconds(timeoutMs)}`));
      }, timeoutMs);
      this.pending.set(cseq, { cseq, method, uri, resolve, reject, timer });
      this.write(bytes);
    });
  }

  private settle(p: Pending): void {
    clearTimeout(p.timer);
    this.pending.delete(p.cseq);
  }

  private write(bytes: Uint8Array): void {
    if (this.socket && !this.socket.destroyed) this.socket.write(bytes);
  }

  private assertOpen(method: string): void {
    if (this.isClosed || !this.socket || this.socket.destroyed) {
      throw new RtspClientError(`cannot send ${method} to upstream ${this.target.clean}: the connection is closed`);
    }
  }

  // ---- the PLAY sequence ----

  private async options(url: string): Promise<void> {
    const res = await this.request('OPTIONS', url);
    this.optionsDone = true;
    // OPTIONS is advisory (ffmpeg ignores its status too); a real refusal shows again on DESCRIBE.
    if (res.status !== 200) return;
    const pub = res.headers.get('Public');
    if (pub === undefined) return;
    try {
      this.publicMethods = parsePublic(pub);
    } catch {
      this.publicMethods = undefined;
    }
  }

  private async setup(media: DescribedMedia, first: boolean): Promise<PlayMedia> {
    if (this.preferredTransport === 'udp') {
      const pair = await bindUdpPair(this.socket?.remoteFamily === 'IPv6' ? 'udp6' : 'udp4');
      const request: TransportHeader = { protocol: 'RTP/AVP', lowerTransport: 'UDP', delivery: 'unicast', clientPort: pair.ports, extra: [] };
      let res: RtspResponse;
      try {
        res = await this.request('SETUP', media.control, { Transport: formatTransport(request) });
      } catch (err) {
        closePair(pair);
        throw err;
      }
      // 461 Unsupported Transport on the first SETUP: fall back to TCP as ffmpeg and VLC do.
      if (res.status === 461 && first) {
        closePair(pair);
        this.preferredTransport = 'tcp';
        return this.setup(media, first);
      }
      if (res.status !== 200) {
        closePair(pair);
        throw this.statusError('SETUP', media.control, res);
      }
      let reply: TransportHeader;
      try {
        reply = this.readSetupReply(media, res, 'UDP');
      } catch (err) {
        closePair(pair);
        throw err;
      }
      this.udp.push(pair);
      this.routeUdp(pair, media.index, reply);
      return { ...media, transport: reply, clientPorts: pair.ports };
    }

    const channels: [number, number] = [2 * media.index, 2 * media.index + 1];
    const request: TransportHeader = { protocol: 'RTP/AVP', lowerTransport: 'TCP', delivery: 'unicast', interleaved: channels, extra: [] };
    const res = await this.request('SETUP', media.control, { Transport: formatTransport(request) });
    if (res.status !== 200) throw this.statusError('SETUP', media.control, res);
    const reply = this.readSetupReply(media, res, 'TCP');
    // The server may pick other channels (RFC 2326 §12.39); what it says is what it will use.
    const used = reply.interleaved ?? channels;
    this.channels.set(used[0], { media: media.index, rtcp: false });
    this.channels.set(used[1], { media: media.index, rtcp: true });
    return { ...media, transport: reply, interleaved: used };
  }

  /** Checks the Transport reply and takes the Session from the first SETUP. */
  private readSetupReply(media: DescribedMedia, res: RtspResponse, lower: 'UDP' | 'TCP'): TransportHeader {
    const raw = res.headers.get('Transport');
    if (raw === undefined) throw new RtspClientError(`upstream ${media.control} answered SETUP without a Transport header`);
    let reply: TransportHeader;
    try {
      reply = parseTransport(raw)[0]!;
    } catch (err) {
      throw new RtspClientError(`upstream ${media.control} answered SETUP with an unreadable Transport ${JSON.stringify(raw)}: ${(err as Error).message}`);
    }
    if (reply.lowerTransport !== lower) {
      // ffmpeg: "Nonmatching transport in server reply".
      throw new RtspClientError(`upstream ${media.control} answered SETUP over ${reply.lowerTransport} when asked for ${lower} (${raw})`);
    }
    const session = res.headers.get('Session');
    if (this.sessionId === undefined) {
      if (session === undefined) throw new RtspClientError(`upstream ${media.control} answered SETUP without a Session header`);
      try {
        const s = parseSession(session);
        this.sessionId = s.id;
        // A zero or absurdly small timeout would make keepalives spin; clamp to at least 2 s.
        if (s.timeout !== undefined) this.sessionTimeoutS = Math.max(2, s.timeout);
      } catch (err) {
        throw new RtspClientError(`upstream ${media.control} answered SETUP with an unreadable Session ${JSON.stringify(session)}: ${(err as Error).message}`);
      }
    }
    return reply;
  }

  private routeUdp(pair: UdpPair, media: number, reply: TransportHeader): void {
    // Only the upstream may feed the relay: packets from any other address are dropped (a spoofing guard
    // MediaMTX has too). `source=` in the reply names the sender when it is not the RTSP peer.
    const from = normalizeAddress(reply.source || this.socket?.remoteAddress || this.target.host);
    const deliver = (rtcp: boolean) => (msg: Buffer, rinfo: { address: string }) => {
      if (normalizeAddress(rinfo.address) !== from || this.isClosed) return;
      const data = new Uint8Array(msg.buffer, msg.byteOffset, msg.length);
      try {
        if (rtcp) this.onRtcp?.(media, data);
        else {
          this.lastPacketAt = performance.now();
          this.onRtp?.(media, data);
        }
      } catch (err) {
        this.shutdown('error', `handling data from upstream ${this.target.clean} failed: ${(err as Error).message}`, err as Error);
      }
    };
    pair.rtp.on('message', deliver(false));
    pair.rtcp.on('message', deliver(true));
  }

  private startTimers(): void {
    this.lastPacketAt = performance.now();
    // ffmpeg and VLC keep alive at half the session timeout; GET_PARAMETER only when Public lists it.
    this.keepaliveTimer = setInterval(() => void this.keepalive(), (this.sessionTimeoutS * 1000) / 2);
    this.keepaliveTimer.unref();
    this.readTimer = setInterval(() => {
      if (performance.now() - this.lastPacketAt >= this.readTimeoutMs) {
        this.shutdown('read-timeout', `no RTP from upstream ${this.target.clean} for ${seconds(this.readTimeoutMs)}`);
      }
    }, Math.max(50, Math.min(1000, this.readTimeoutMs / 4)));
    this.readTimer.unref();
  }

  private stopTimers(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    if (this.readTimer) clearInterval(this.readTimer);
    this.keepaliveTimer = undefined;
    this.readTimer = undefined;
  }

  private async keepalive(): Promise<void> {
    if (this.isClosed || this.closing || !this.playing) return;
    const method = this.publicMethods?.includes('GET_PARAMETER') ? 'GET_PARAMETER' : 'OPTIONS';
    try {
      const res = await this.request(method, this.playing.aggregateControl);
      if (res.status === 454) {
        this.shutdown('error', `upstream ${this.target.clean} dropped session ${this.sessionId} (454 Session Not Found)`);
      } else if (method === 'GET_PARAMETER' && (res.status === 405 || res.status === 501)) {
        this.publicMethods = this.publicMethods?.filter((m) => m !== 'GET_PARAMETER');
      }
    } catch (err) {
      if (!this.isClosed && !this.closing) this.shutdown('error', (err as Error).message, err as Error);
    }
  }

  private statusError(method: string, url: string, res: RtspResponse): RtspClientError {
    let message = `upstream ${url} answered ${method} with ${res.status} ${res.reason || STATUS_REASONS[res.status] || ''}`.trimEnd();
    const type = res.headers.get('Content-Type') ?? '';
    const text = decoder.decode(res.body).trim();
    // Servers like ours explain the refusal in a text/plain body; pass that on.
    if (text !== '' && text.length <= 300 && (type === '' || /^text\/plain\b/i.test(type))) message += `: ${text}`;
    if (res.status === 401 && this.authProblem) message += `; ${this.authProblem}`;
    return new RtspClientError(message, res.status);
  }

  private shutdown(kind: CloseKind, message: string, error?: Error): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.stopTimers();
    for (const p of [...this.pending.values()]) {
      this.settle(p);
      p.reject(new RtspClientError(`${message} while waiting for the answer to ${p.method}`));
    }
    this.socket?.destroy();
    for (const pair of this.udp) closePair(pair);
    this.udp.length = 0;
    const reason: CloseReason = error ? { kind, message, error } : { kind, message };
    this.closeReason = reason;
    this.resolveClosed(reason);
    this.emit('close', reason);
  }
}

// ---- helpers (exported for tests) ----

/** Splits an rtsp:// or rtsps:// URL into where to connect and the credentials, which never go on the wire in URLs. */
export function parseRtspUrl(url: string): Target {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RtspClientError(`${JSON.stringify(stripUserinfo(url))} is not a URL: expected rtsp://[user:pass@]host[:port]/path`);
  }
  const scheme = u.protocol.toLowerCase();
  if (scheme !== 'rtsp:' && scheme !== 'rtsps:') {
    throw new RtspClientError(`${JSON.stringify(stripUserinfo(url))} is not an rtsp:// or rtsps:// URL`);
  }
  const secure = scheme === 'rtsps:';
  let host = u.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '') throw new RtspClientError(`${JSON.stringify(stripUserinfo(url))} has no host`);
  // RFC 2326 §3.2: 554 for rtsp; 322 is the IANA port for rtsps (RFC 7826 §19.2).
  const port = u.port === '' ? (secure ? 322 : 554) : Number(u.port);
  const target: Target = { secure, host, port, clean: stripUserinfo(url) };
  if (u.username !== '' || u.password !== '') {
    target.credentials = { username: safeDecode(u.username), password: safeDecode(u.password) };
  }
  return target;
}

/** rtsp://user:pass@host/x -> rtsp://host/x, leaving the rest of the URL byte for byte. */
export function stripUserinfo(url: string): string {
  return url.replace(/^(rtsps?:\/\/)[^@/?#]*@/i, '$1');
}

/**
 * The base URL (Content-Base, Content-Location, request URL: RFC 2326 §C.1.1) and each media's
 * control URL, as ffmpeg resolves them: absolute controls as they are, `*` or none means the base,
 * a relative control appended to the whole base after a '/' (a query in the base stays before it;
 * cameras rely on this). A control starting with '/' is a path on the same server.
 */
export function resolveControls(requestUrl: string, sdp: string, headers: RtspHeaders): DescribeResult {
  const url = stripUserinfo(requestUrl);
  const baseHeader = headers.get('Content-Base') ?? headers.get('Content-Location');
  let baseUrl = url;
  if (baseHeader !== undefined && baseHeader.trim() !== '') {
    try {
      baseUrl = stripUserinfo(absolutize(baseHeader.trim(), url));
    } catch {
      baseUrl = url;
    }
  }
  const parsed = sdpTransform.parse(sdp);
  const sessionControl = parsed.control === undefined ? undefined : String(parsed.control).trim();
  const aggregateControl = sessionControl !== undefined && isAbsoluteRtsp(sessionControl) ? stripUserinfo(sessionControl) : baseUrl;
  const medias = (parsed.media ?? []).map((m, index) => ({
    index,
    type: String(m.type),
    control: resolveControl(baseUrl, m.control === undefined ? undefined : String(m.control).trim()),
  }));
  return { url, sdp, baseUrl, aggregateControl, medias };
}

export function resolveControl(baseUrl: string, control: string | undefined): string {
  if (control === undefined || control === '' || control === '*') return baseUrl;
  if (isAbsoluteRtsp(control)) return stripUserinfo(control);
  if (control.startsWith('/')) {
    try {
      return new URL(control, baseUrl).href;
    } catch {
      // fall through to appending
    }
  }
  return baseUrl.endsWith('/') || control.startsWith('?') ? baseUrl + control : `${baseUrl}/${control}`;
}

/** An absolute URL stays byte for byte (WHATWG URL would re-encode it); a relative one is resolved against base. */
function absolutize(ref: string, base: string): string {
  return isAbsoluteRtsp(ref) ? ref : new URL(ref, base).href;
}

function isAbsoluteRtsp(url: string): boolean {
  return /^rtsps?:\/\//i.test(url);
}

/** RTP-Info url= should equal the SETUP URL (ffmpeg requires it); servers also send only the tail, or other hosts. */
function matchRtpInfo(medias: PlayMedia[], info: RtpInfoHeader): void {
  const used = new Set<RtpInfoEntry>();
  for (const m of medias) {
    const exact = info.find((e) => !used.has(e) && sameUrl(e.url, m.control));
    const tail = exact ?? info.find((e) => !used.has(e) && (m.control.endsWith(`/${lastSegment(e.url)}`) || lastSegment(m.control) === lastSegment(e.url)));
    if (tail) {
      used.add(tail);
      m.rtpInfo = tail;
    }
  }
  // Nothing matched by URL but the counts agree: take them in order (some cameras send bare ids).
  if (used.size === 0 && info.length === medias.length) medias.forEach((m, i) => (m.rtpInfo = info[i]));
}

function sameUrl(a: string, b: string): boolean {
  const norm = (s: string) => stripUserinfo(s).replace(/\/+$/, '');
  return norm(a) === norm(b);
}

function lastSegment(url: string): string {
  const clean = url.replace(/[?#].*$/, '').replace(/\/+$/, '');
  return clean.slice(clean.lastIndexOf('/') + 1);
}

function describeChallenge(c: AuthChallenge): string {
  if (c.scheme === 'Digest') return `Digest (realm ${JSON.stringify(c.realm ?? '')}, algorithm ${c.algorithm ?? 'MD5'})`;
  if (c.scheme === 'Basic') return `Basic (realm ${JSON.stringify(c.realm ?? '')})`;
  return formatChallenge({ scheme: c.scheme, params: [] });
}

/** Binds RTP on an ephemeral even port and RTCP on the next one (RFC 3550 §11). */
async function bindUdpPair(family: 'udp4' | 'udp6'): Promise<UdpPair> {
  const any = family === 'udp6' ? '::' : '0.0.0.0';
  for (let attempt = 0; attempt < 64; attempt++) {
    const rtp = createSocket(family);
    await bind(rtp, 0, any);
    const port = rtp.address().port;
    if (port % 2 !== 0 || port >= 65535) {
      rtp.close();
      continue;
    }
    const rtcp = createSocket(family);
    try {
      await bind(rtcp, port + 1, any);
    } catch {
      rtp.close();
      rtcp.close();
      continue;
    }
    // Video key frames arrive as bursts of dozens of packets; the default buffer can drop some.
    try {
      rtp.setRecvBufferSize(2 * 1024 * 1024);
    } catch {
      // capped by the kernel (net.core.rmem_max): the default still works
    }
    return { rtp, rtcp, ports: [port, port + 1] };
  }
  throw new RtspClientError('could not bind an even/odd pair of UDP ports for RTP/RTCP');
}

function bind(s: UdpSocket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    s.once('error', onError);
    s.bind(port, address, () => {
      s.off('error', onError);
      // After bind, an error (e.g. ICMP unreachable on some systems) must not crash the process.
      s.on('error', () => {});
      resolve();
    });
  });
}

function closePair(pair: UdpPair): void {
  for (const s of [pair.rtp, pair.rtcp]) {
    try {
      s.close();
    } catch {
      // already closed
    }
  }
}

function normalizeAddress(a: string): string {
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
