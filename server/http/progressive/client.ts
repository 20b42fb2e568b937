// One progressive HTTP reader of a live stream: a bounded send queue, skip to the next join point when full, dropped when stuck.
import type { Response } from 'express';
import type { Logger } from '../../log.js';
import type { MuxChunk } from '../../mux/fmp4-muxer.js';

export interface ClientPolicy {
  /** Bytes the response may hold unsent before chunks are skipped (config tcpQueueBytes, as for RTSP over TCP). */
  queueBytes: number;
  /** A reader over the bound this long is disconnected (config slowReaderTimeout). */
  slowTimeoutMs: number;
}

let nextId = 1;

export class StreamClient {
  readonly id = nextId++;
  closed = false;
  /** Chunks written and skipped, for logs and tests. */
  sent = 0;
  skipped = 0;
  /** Bytes written to the response (the API's bytes and bitrate). */
  bytes = 0;
  /** Skipping until a chunk a decoder can start from (a key frame; PAT/PMT first for TS). */
  private skipping = false;
  private congestedSince = 0;
  private corked = false;

  constructor(
    readonly res: Response,
    private readonly policy: ClientPolicy,
    private readonly log: Logger,
    readonly peer: string,
  ) {}

  /** Bytes waiting in this response's queue (the HTTP layer's buffer plus the socket's). */
  get queuedBytes(): number {
    return this.res.writableLength;
  }

  /** Writes at once, whatever the queue (the init segment and the join backlog, bounded by the GOP cache). */
  write(bytes: Uint8Array): void {
    if (this.closed) return;
    this.cork();
    this.res.write(bytes);
    this.sent++;
    this.bytes += bytes.length;
  }

  /**
   * The same policy as a slow RTSP/TCP reader: over `queueBytes` the reader skips to the next
   * chunk it can decode from, and one stuck over the bound for `slowTimeoutMs` is dropped, so its
   * memory is bounded and nobody else waits for it.
   */
  send(chunk: MuxChunk): void {
    if (this.closed) return;
    const queued = this.res.writableLength;
    if (queued > this.policy.queueBytes) {
      this.skipping = true;
      this.skipped++;
      const now = performance.now();
      if (this.congestedSince === 0) this.congestedSince = now;
      else if (now - this.congestedSince > this.policy.slowTimeoutMs) {
        this.log.warn({ reader: this.id, client: this.peer, queued }, `${this.peer}: slow HTTP reader ${this.id} disconnected: ${queued} bytes unsent for over ${Math.round(this.policy.slowTimeoutMs / 1000)} s (slowReaderTimeout)`);
        this.close();
      }
      return;
    }
    this.congestedSince = 0;
    if (this.skipping) {
      if (!chunk.joinable) {
        this.skipped++;
        return;
      }
      this.skipping = false;
    }
    this.write(chunk.bytes);
  }

  /** Nothing decodable to start from yet (the join cache overflowed): start at the next join point. */
  skipUntilJoinable(): void {
    this.skipping = true;
  }

  /** The stream ended: finish the response (a chunked body ends cleanly, so players see EOF, not an error). */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.res.end();
  }

  /** Drop the connection (slow reader, server shutdown). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.res.destroy();
  }

  // Chunks written in one turn of the event loop (a frame's video and audio) leave in one writev.
  private cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.res.cork();
    process.nextTick(() => {
      this.corked = false;
      if (!this.res.destroyed) this.res.uncork();
    });
  }
}
