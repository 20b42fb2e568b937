// RTSP client for relay sources: pulls a stream from an upstream camera or server (RFC 2326), TCP-interleaved or UDP.

import { EventEmitter } from 'node:events';
import type { ConnectionOptions } from 'node:tls';
import { RtspHeaders, type RtspHeadersInit } from '../../rtsp/headers-map.js';
import { answerChallenge, formatAuthorization } from '../../rtsp/headers/authorization.js';
import { formatRange } from '../../rtsp/headers/range.js';
import type { TransportHeader } from '../../rtsp/headers/transport.js';
import type { AuthChallenge } from '../../rtsp/headers/www-authenticate.js';
import type { RtspRequest, RtspResponse } from '../../rtsp/message.js';
import { ANNOUNCE_OPTION_TAG } from '../../rtsp/headers/option-tags.js';
import { readServerRequest } from './server-requests.js';
import { RtspConnection, seconds } from './connection.js';
import { readDescribeSdp, readPlayReply, readPublic, setupTcp, setupUdp, statusError, type SequenceSteps, type SetupReply } from './play-sequence.js';
import {
  RtspClientError,
  type CloseKind,
  type CloseReason,
  type DescribedMedia,
  type DescribeResult,
  type PlayMedia,
  type PlaySession,
  type RtspClientOptions,
} from './rtsp-client-types.js';
import { SessionTimers } from './session-timers.js';
import { absolutize, matchRtpInfo, parseRtspUrl, resolveControls, stripUserinfo, type Target } from './rtsp-url.js';
import { closePair, routeFrom, type UdpPair } from './udp-pair.js';
import { chooseChallenge, rejectedCredentials } from './upstream-auth.js';

export type { RtspResponse };

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_SESSION_TIMEOUT_S = 60;
const MAX_REDIRECTS = 3;
const USER_AGENT = 'Tidecast/0.1';
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
  private readonly userAgent: string;
  private readonly tlsOptions: ConnectionOptions | undefined;
  private readonly acceptAnnounce: boolean;
  private preferredTransport: 'tcp' | 'udp';
  private target: Target;
  private conn: RtspConnection | undefined;
  private cseq = 0;
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
  private readonly timers: SessionTimers;
  private closing = false;
  private isClosed = false;
  private closeReason: CloseReason | undefined;
  private resolveClosed!: (r: CloseReason) => void;

  private constructor(target: Target, opts: RtspClientOptions) {
    super();
    this.target = target;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.timers = new SessionTimers(opts.readTimeoutMs, {
      keepalive: () => void this.keepalive(),
      readTimeout: () => this.shutdown('read-timeout', `no RTP from upstream ${this.target.clean} for ${seconds(this.timers.readTimeoutMs)}`),
    });
    this.userAgent = opts.userAgent ?? USER_AGENT;
    this.preferredTransport = opts.transport ?? 'tcp';
    this.acceptAnnounce = opts.acceptAnnounce === true;
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
    const creds = this.target.credentials;
    const choice = chooseChallenge(res, creds);
    if ('problem' in choice) {
      this.authProblem = choice.problem;
      return res;
    }
    // A second 401 to the same challenge means the password is wrong; a new nonce (stale) is worth one retry.
    this.auth = { challenge: choice.challenge, nc: 0 };
    const retry = await this.send(method, uri, headers, bytes);
    if (retry.status === 401) {
      this.authProblem = rejectedCredentials(creds!, choice.challenge);
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
      this.described = resolveControls(url, readDescribeSdp(url, res), res.headers);
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
    const { rtpInfo, range } = readPlayReply(res);
    // Packets in the same chunk as the PLAY answer are delivered before this runs, and may have failed.
    if (this.closeReason) throw new RtspClientError(this.closeReason.message);
    if (rtpInfo) matchRtpInfo(medias, rtpInfo);
    this.playing = {
      ...described,
      transport: medias[0]!.clientPorts ? 'udp' : 'tcp',
      sessionId: this.sessionId ?? '',
      timeoutS: this.sessionTimeoutS,
      medias,
      ...(rtpInfo ? { rtpInfo } : {}),
      ...(range !== undefined ? { range } : {}),
    };
    this.timers.start(this.sessionTimeoutS);
    return this.playing;
  }

  /** TEARDOWN (best effort, short wait) and close everything. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.isClosed || this.closing) {
      await this.closed;
      return;
    }
    this.closing = true;
    this.timers.stop();
    if (this.sessionId !== undefined && this.conn && !this.conn.socket.destroyed) {
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
    this.optionsDone = false;
    // Reports from a connection replaced after a redirect are ignored.
    const conn: RtspConnection = new RtspConnection(this.target, this.tlsOptions, this.timeoutMs, {
      url: () => this.target.clean,
      onInterleaved: (channel, data) => {
        if (conn === this.conn) this.onInterleaved(channel, data);
      },
      onDataError: (err) => {
        if (conn === this.conn) this.shutdown('error', `handling data from upstream ${this.target.clean} failed: ${err.message}`, err);
      },
      onFatal: (message, err) => {
        if (conn === this.conn) this.shutdown('error', message, err);
      },
      onClose: (err) => {
        if (conn === this.conn) this.onConnectionClose(err);
      },
      onRequest: (req) => (conn === this.conn ? this.onServerRequest(req) : 501),
    });
    this.conn = conn;
    return conn.ready;
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
    const old = this.conn;
    this.conn = undefined;
    old?.destroy();
    await this.open();
  }

  /** ANNOUNCE and REDIRECT are taken when someone listens for them ('announce', 'redirect' events, after the 200 has gone). */
  private onServerRequest(req: RtspRequest): number {
    const r = readServerRequest(req);
    if ('refuse' in r) return r.refuse;
    if (this.listenerCount(r.kind) === 0 || this.closing || this.isClosed) return 501;
    setImmediate(() => this.emit(r.kind, r));
    return 200;
  }

  /** After a server ANNOUNCE (RFC 2326 §10.3; the old session ended upstream): SETUP and PLAY the new SDP here. */
  async replay(sdp: string, headers: RtspHeaders): Promise<PlaySession> {
    this.timers.stop();
    this.channels.clear();
    for (const pair of this.udp.splice(0)) closePair(pair);
    this.sessionId = undefined;
    this.playing = undefined;
    this.described = resolveControls(this.target.clean, sdp, headers);
    return this.play();
  }

  private onConnectionClose(err: Error | undefined): void {
    if (this.closing) {
      this.shutdown('local', 'closed by Tidecast');
      return;
    }
    if (err) this.shutdown('error', `connection to upstream ${this.target.clean} failed: ${err.message}`, err);
    else this.shutdown('socket', `upstream ${this.target.clean} closed the connection`);
  }

  /** An interleaved frame goes to the media set up on its channel; other channels are ignored, as ffmpeg does. */
  private onInterleaved(channel: number, data: Uint8Array): void {
    const route = this.channels.get(channel);
    if (route === undefined) return;
    if (route.rtcp) this.onRtcp?.(route.media, data);
    else {
      this.timers.packetArrived();
      this.onRtp?.(route.media, data);
    }
  }

  private send(method: string, uri: string, extra: RtspHeadersInit | undefined, body: Uint8Array | undefined, timeoutMs = this.timeoutMs): Promise<RtspResponse> {
    this.assertOpen(method);
    const cseq = ++this.cseq;
    const headers = new RtspHeaders();
    headers.set('CSeq', String(cseq));
    headers.set('User-Agent', this.userAgent);
    if (this.sessionId !== undefined) headers.set('Session', this.sessionId);
    if (this.acceptAnnounce) headers.set('Supported', ANNOUNCE_OPTION_TAG);
    if (this.auth && this.target.credentials) {
      const a = this.auth;
      a.nc++;
      headers.set('Authorization', formatAuthorization(answerChallenge(a.challenge, this.target.credentials, method, uri, { nc: a.nc })));
    }
    for (const [name, value] of new RtspHeaders(extra)) headers.set(name, value);
    return this.conn!.send(cseq, method, uri, headers, body, timeoutMs);
  }

  private assertOpen(method: string): void {
    if (this.isClosed || !this.conn || this.conn.socket.destroyed) {
      throw new RtspClientError(`cannot send ${method} to upstream ${this.target.clean}: the connection is closed`);
    }
  }

  // ---- the PLAY sequence ----

  private async options(url: string): Promise<void> {
    const res = await this.request('OPTIONS', url);
    this.optionsDone = true;
    const listed = readPublic(res);
    if (listed !== null) this.publicMethods = listed;
  }

  private async setup(media: DescribedMedia, first: boolean): Promise<PlayMedia> {
    const steps: SequenceSteps = {
      request: (method, url, headers) => this.request(method, url, headers),
      statusError: (method, url, res) => this.statusError(method, url, res),
    };
    const needSession = this.sessionId === undefined;
    if (this.preferredTransport === 'udp') {
      const done = await setupUdp(steps, media, this.conn?.socket.remoteFamily === 'IPv6' ? 'udp6' : 'udp4', first, needSession);
      if (done === undefined) {
        this.preferredTransport = 'tcp';
        return this.setup(media, first);
      }
      this.takeSession(done);
      this.udp.push(done.pair);
      this.routeUdp(done.pair, media.index, done.reply);
      return { ...media, transport: done.reply, clientPorts: done.pair.ports };
    }
    const done = await setupTcp(steps, media, needSession);
    this.takeSession(done);
    this.channels.set(done.interleaved[0], { media: media.index, rtcp: false });
    this.channels.set(done.interleaved[1], { media: media.index, rtcp: true });
    return { ...media, transport: done.reply, interleaved: done.interleaved };
  }

  /** The first SETUP's Session: later requests carry it, keepalives go at half its timeout. */
  private takeSession({ session }: SetupReply): void {
    if (session === undefined) return;
    this.sessionId = session.id;
    if (session.timeoutS !== undefined) this.sessionTimeoutS = session.timeoutS;
  }

  private routeUdp(pair: UdpPair, media: number, reply: TransportHeader): void {
    // `source=` in the reply names the sender when it is not the RTSP peer.
    const from = reply.source || this.conn?.socket.remoteAddress || this.target.host;
    routeFrom(pair, from, (rtcp, data) => {
      if (this.isClosed) return;
      try {
        if (rtcp) this.onRtcp?.(media, data);
        else {
          this.timers.packetArrived();
          this.onRtp?.(media, data);
        }
      } catch (err) {
        this.shutdown('error', `handling data from upstream ${this.target.clean} failed: ${(err as Error).message}`, err as Error);
      }
    });
  }

  /** GET_PARAMETER when Public listed it (dropped if refused), else OPTIONS; a 454 means the session is gone. */
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
    return statusError(method, url, res, this.authProblem);
  }

  private shutdown(kind: CloseKind, message: string, error?: Error): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.timers.stop();
    this.conn?.failAll(message);
    this.conn?.destroy();
    for (const pair of this.udp) closePair(pair);
    this.udp.length = 0;
    const reason: CloseReason = error ? { kind, message, error } : { kind, message };
    this.closeReason = reason;
    this.resolveClosed(reason);
    this.emit('close', reason);
  }
}
