// One client connection (TCP, or a WebSocket/HTTP tunnel): parses its byte stream, answers requests in order, carries interleaved RTP/RTCP.
import type { Presented } from '../auth/credentials.js';
import type { ByteChannel } from './channel.js';
import type { ServerContext } from './context.js';
import { SERVER_NAME } from './context.js';
import { dispatch } from './dispatch.js';
import { serializeResponse, type RtspRequest, type RtspResponse } from './message.js';
import type { ConnectionInfo } from './methods/request-context.js';
import { RtspParser } from './parser.js';
import { errorResponse } from './response.js';
import { RtspError } from './errors.js';
import { clientOf, logRefusal } from './refusal-log.js';
import type { RtspSession } from './session.js';
import { listsOptionTag } from './headers/option-tags.js';
import { ServerOutbox } from './server-requests/outbox.js';

/** Requests (and unparseable lines) a client may have waiting for an answer: pipelining is legal, flooding is not. */
export const MAX_PENDING = 32;
/**
 * Answers a client may leave unread beyond the interleaved queue's own bound (tcpQueueBytes) before
 * it is cut off: a peer that sends requests or garbage and never reads must not grow our memory.
 */
export const MAX_UNREAD_REPLY_BYTES = 256 * 1024;
/** Bytes parsed at a time (see onData). */
const PARSE_SLICE = 4096;
let nextId = 1;

export class RtspConnection implements ConnectionInfo {
  readonly id = nextId++;
  readonly remoteAddress: string;
  readonly remotePort: number | undefined;
  /** `address:port`: how log lines name the client. */
  get client(): string {
    return clientOf(this.remoteAddress, this.remotePort);
  }
  readonly localAddress: string;
  /** Set for WebSocket and HTTP tunnels: SETUP accepts only interleaved transport on them. */
  readonly tunnel: 'websocket' | 'http' | undefined;
  readonly credentials: Presented | undefined;
  /** TLS under it (RTSPS, HTTPS/WSS tunnels): SRTP may be set up, and rtspEncryption strict lets it through. */
  readonly secure: boolean;
  readonly usedChannels = new Set<number>();
  readonly sessions = new Set<RtspSession>();
  closed = false;
  announced?: { path: string; sessionId: string };
  described?: { path: string; query: string | undefined };
  /** The client listed the ANNOUNCE option tag (server-requests/option-tags.ts): it takes a new SDP from us. */
  acceptsAnnounce = false;
  /** Live paths whose source ended under a session here: the next stream on them is ANNOUNCEd (path -> URL the client used). */
  readonly watching = new Map<string, string>();
  /** Our own requests to the client (ANNOUNCE, REDIRECT) and its answers. */
  readonly outbox = new ServerOutbox();
  private readonly parser: RtspParser;
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  /** Past MAX_PENDING: the 503 is queued and further input is dropped until the connection closes. */
  private flooded = false;
  /** end() was called: the connection closes once what is queued has left (or after 500 ms). */
  private ending = false;
  /** performance.now() of the last bytes from the peer: the idle timeout counts from it. */
  lastInputAt = performance.now();
  /** performance.now() when the message (or frame) being received began; undefined between messages (the read timeout). */
  partialSince: number | undefined;
  /** When the send queue first went over its bound; the reader is dropped if it stays there. */
  private congestedSince = 0;

  constructor(
    private readonly channel: ByteChannel,
    private readonly server: ServerContext,
    private readonly onClose: (c: RtspConnection) => void,
  ) {
    this.remoteAddress = channel.remoteAddress;
    this.remotePort = channel.remotePort;
    this.localAddress = channel.localAddress;
    this.tunnel = channel.tunnel;
    this.credentials = channel.credentials;
    this.secure = channel.secure === true;
    const l = server.config.limits;
    this.parser = new RtspParser({ maxHeaderBytes: l.maxHeaderBytes, maxHeaderCount: l.maxHeaderCount, maxBodyBytes: l.maxBodyBytes });
    channel.onData((chunk) => this.onData(chunk));
    channel.onClose(() => this.close());
  }

  /** Bytes waiting in this connection's send queue (bounded by tcpQueueBytes plus one write). */
  get queuedBytes(): number {
    return this.channel.queuedBytes;
  }

  writeInterleaved(channel: number, framed: Uint8Array): boolean {
    const len = framed.length - 4;
    framed[0] = 0x24;
    framed[1] = channel;
    framed[2] = len >>> 8;
    framed[3] = len & 0xff;
    return this.writeShared(framed);
  }

  /**
   * Writes a framed packet, or refuses it when this reader's queue is over `tcpQueueBytes` (the
   * caller then skips to the next key frame). A reader stuck over the bound for
   * `slowReaderTimeout` is disconnected: its memory is bounded and nobody else waits for it.
   */
  writeShared(framed: Uint8Array): boolean {
    if (this.closed) return false;
    const queued = this.channel.queuedBytes;
    if (queued > this.server.config.tcpQueueBytes) {
      const now = performance.now();
      if (this.congestedSince === 0) this.congestedSince = now;
      else if (now - this.congestedSince > this.server.config.slowReaderTimeout * 1000) {
        this.server.log.warn({ conn: this.id, client: this.client, tunnel: this.tunnel, queued }, `${this.client}: slow reader disconnected: ${queued} bytes unsent for over ${this.server.config.slowReaderTimeout} s (slowReaderTimeout)`);
        this.close();
      }
      return false;
    }
    this.congestedSince = 0;
    // Packets written in one turn of the event loop (a pacer tick, a chunk of ingest) leave in one
    // writev instead of one syscall each: the send call is most of the fan-out's cost.
    if (!this.corked) {
      this.corked = true;
      this.channel.cork();
      process.nextTick(this.uncork);
    }
    this.channel.write(framed);
    return true;
  }

  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.channel.uncork();
  };

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.channel.destroy();
    for (const s of this.sessions) {
      // TCP (and tunnelled) sessions live and die with their connection; UDP readers outlive it until TEARDOWN or
      // timeout. A publisher ends with its connection whatever the transport: ffmpeg and GStreamer
      // hold it open while they record, so its closing is the only sign a UDP publisher left.
      const ends = s.transportKind !== 'udp' || s.media.kind === 'publish';
      if (ends && this.server.sessions.get(s.id) === s) this.server.destroySession(s, 'connection closed', false);
    }
    this.sessions.clear();
    this.onClose(this);
  }

  /** Ends the connection gracefully (server shutdown, or framing lost with `why`): flushes what is queued, then closes. */
  end(why?: string): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    this.channel.end(why);
    setTimeout(() => this.close(), 500).unref();
  }

  /** The read timeout: answers `status` with `why` (no CSeq: the request never completed), then closes. */
  timeOut(status: number, why: string): void {
    if (this.closed || this.flooded) return;
    this.flooded = true;
    this.queue = this.queue.then(() => {
      this.send(errorResponse(new RtspError(status, why, true), { Server: SERVER_NAME }));
      this.end(why);
    });
  }

  private onData(chunk: Uint8Array): void {
    if (this.closed || this.flooded) return;
    const now = performance.now();
    this.lastInputAt = now;
    // In slices: a 64 KiB chunk of garbage lines is 32 768 errors parsed at once (100 MB for a
    // moment); a slice makes at most 2048 before a flood is noticed and the rest is dropped.
    for (let at = 0; at < chunk.length && !this.closed && !this.flooded; at += PARSE_SLICE) this.onSlice(chunk.subarray(at, at + PARSE_SLICE), now);
  }

  private onSlice(chunk: Uint8Array, now: number): void {
    const items = this.parser.push(chunk);
    // A message still incomplete after this chunk began in it when the chunk completed another one.
    if (!this.parser.midMessage) this.partialSince = undefined;
    else if (items.length > 0 || this.partialSince === undefined) this.partialSince = now;
    for (const item of items) {
      switch (item.type) {
        case 'request':
          this.enqueue(item.message);
          break;
        case 'interleaved':
          this.onInterleaved(item.channel, item.data);
          break;
        case 'response': {
          // The client's answer to our ANNOUNCE or REDIRECT; one to nothing we sent is ignored (RFC 2326 §7).
          const sent = this.outbox.answer(item.message);
          if (sent) this.server.log.debug({ conn: this.id, client: this.client, method: sent.method, status: item.message.status }, `${this.client} answered ${sent.method} with ${item.message.status}`);
          break;
        }
        case 'error':
          this.enqueueError(item.error, item.cseq);
          break;
      }
      if (this.closed || this.flooded) return;
    }
  }

  /**
   * Counts one more message waiting for its answer. Past MAX_PENDING the client is told why (503,
   * after the answers already due) and the connection ends: nothing more it sends is read.
   */
  private admit(cseq: string | undefined): boolean {
    if (++this.pending <= MAX_PENDING) return true;
    this.pending--;
    this.flooded = true;
    const why = `more than ${MAX_PENDING} requests are waiting for an answer on this connection; read the answers before sending more`;
    this.server.notices.warn(this.remoteAddress, 'pipelined requests', { conn: this.id, client: this.client, tunnel: this.tunnel }, `${this.client}: connection closed: ${why}`);
    this.queue = this.queue.then(() => {
      this.send(errorResponse(new RtspError(503, why, true), withCSeq({ Server: SERVER_NAME }, cseq)));
      this.end(why);
    });
    return false;
  }

  /**
   * Sends a request of ours to the client (RFC 2326 §10: ANNOUNCE and REDIRECT go server to client),
   * numbered by the connection's own CSeq; false when the connection is closed or closing.
   */
  sendRequest(method: string, uri: string, headers: Record<string, string>, body?: Uint8Array): boolean {
    if (this.closed || this.ending || this.flooded) return false;
    let bytes: Uint8Array;
    try {
      bytes = this.outbox.build(method, uri, { ...headers, Server: SERVER_NAME }, body);
    } catch (e) {
      this.server.log.warn({ err: e, conn: this.id, client: this.client }, `${this.client}: ${method} could not be serialized`);
      return false;
    }
    this.channel.write(bytes);
    return true;
  }

  private enqueue(req: RtspRequest): void {
    if (!this.admit(req.headers.get('CSeq'))) return;
    if (!this.acceptsAnnounce && listsOptionTag(req.headers)) this.acceptsAnnounce = true;
    this.queue = this.queue.then(async () => {
      if (this.closed) return;
      const { response, after } = await dispatch(this.server, this, req);
      this.send(response);
      after?.();
    }).catch((e) => {
      this.server.log.error({ err: e, conn: this.id, client: this.client, method: req.method }, `${this.client} ${req.method}: the connection's handler failed`);
    }).finally(() => {
      this.pending--;
    });
  }

  private enqueueError(err: RtspError, cseq: string | undefined): void {
    if (!this.admit(cseq)) return;
    this.queue = this.queue.then(() => {
      if (this.closed) return;
      logRefusal(this.server, this, undefined, err);
      this.send(errorResponse(err, withCSeq({ Server: SERVER_NAME }, cseq)));
      if (err.fatal) this.end(err.reason);
    }).catch((e) => {
      this.server.log.error({ err: e, conn: this.id, client: this.client }, `${this.client}: answering a bad request failed`);
    }).finally(() => {
      this.pending--;
    });
  }

  private send(res: RtspResponse): void {
    if (this.closed) return;
    const queued = this.channel.queuedBytes;
    if (queued > this.server.config.tcpQueueBytes + MAX_UNREAD_REPLY_BYTES) {
      this.server.notices.warn(this.remoteAddress, 'unread answers', { conn: this.id, client: this.client, tunnel: this.tunnel, queued }, `${this.client}: connection closed: the client does not read its answers`);
      this.close();
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = serializeResponse(res);
    } catch (e) {
      // A header that cannot be written (a line break smuggled into an echoed value) must not
      // kill the connection's queue, let alone the process.
      this.server.log.warn({ err: e, conn: this.id, client: this.client }, `${this.client}: a response could not be serialized; sent 500 instead`);
      bytes = new TextEncoder().encode('RTSP/1.0 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n');
    }
    // One write per response: a WebSocket carries it as one message.
    this.channel.write(bytes);
  }

  private onInterleaved(channel: number, data: Uint8Array): void {
    for (const s of this.sessions) {
      const hit = s.trackByChannel(channel);
      if (!hit) continue;
      s.touch();
      if (s.media.kind === 'publish') {
        s.bytes += data.length;
        const publisher = s.media.publisher;
        const trackId = hit.track.trackId;
        const opened = s.openIn(trackId, data, hit.rtcp);
        if (!opened) return;
        // The parser hands out views into the socket chunk: copy, since the stream keeps packets.
        const own = opened === data ? data.slice() : opened;
        if (hit.rtcp) publisher?.pushRtcp(trackId, own);
        else publisher?.pushRtp(trackId, own, performance.now());
        return;
      }
      // A reader's RTCP: its receiver reports keep the session alive and feed loss/jitter stats.
      if (hit.rtcp) s.noteRtcp(hit.track.trackId, data);
      return;
    }
  }
}

/** `headers` with CSeq echoed when the request's was a number (anything else must not reach the answer). */
function withCSeq(headers: Record<string, string>, cseq: string | undefined): Record<string, string> {
  if (cseq !== undefined && /^\s*\d{1,10}\s*$/.test(cseq)) headers.CSeq = cseq.trim();
  return headers;
}
