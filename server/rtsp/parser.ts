// Incremental parser for one RTSP byte stream: requests, responses and `$`-interleaved frames mixed (RFC 2326 §10.12).

import { RtspError } from './errors.js';
import { RtspHeaders } from './headers-map.js';
import type { RtspRequest, RtspResponse } from './message.js';
import { bodyLength } from './content-length.js';
import { parseStartLine, quote, TOKEN, type RequestLine, type StartLine, type StatusLine } from './start-line.js';

export type ParsedItem =
  | { type: 'request'; message: RtspRequest }
  | { type: 'response'; message: RtspResponse }
  | { type: 'interleaved'; channel: number; data: Uint8Array }
  /** `cseq` is the raw CSeq of the failed message when it had been read, so the answer can echo it. */
  | { type: 'error'; error: RtspError; cseq?: string };

export interface RtspParserLimits {
  /** Start line + header lines + the blank line, in bytes. */
  maxHeaderBytes: number;
  maxHeaderCount: number;
  maxBodyBytes: number;
  maxUriLength: number;
}

export const DEFAULT_PARSER_LIMITS: Readonly<RtspParserLimits> = Object.freeze({
  maxHeaderBytes: 8192,
  maxHeaderCount: 64,
  maxBodyBytes: 65536,
  maxUriLength: 4096,
});

const CR = 0x0d;
const LF = 0x0a;
const DOLLAR = 0x24;

const decoder = new TextDecoder('utf-8');
const EMPTY = new Uint8Array(0);

type State =
  | 'start' // between messages: skipping blank lines, waiting for a start line or '$'
  | 'head' // inside a start line or header block
  | 'frameHeader' // reading the 4-byte `$` header
  | 'frame' // reading an interleaved payload
  | 'body' // reading a message body of known length
  | 'skip' // discarding the body of a rejected message
  | 'dead'; // framing lost after a fatal error: everything is discarded


/**
 * Feed it bytes as they arrive; it returns whatever became complete. The result never depends on
 * how the stream was split into chunks. It never throws, and holds at most one header block
 * (maxHeaderBytes), one body (maxBodyBytes) or one interleaved payload (64 KiB) in memory.
 *
 * Payloads and bodies that arrive whole within one chunk are returned as views into that chunk
 * (no copy): callers must not reuse a chunk's memory after pushing it.
 */
export class RtspParser {
  readonly limits: Readonly<RtspParserLimits>;

  private state: State = 'start';
  // Current incomplete line; completed lines are parsed at once, so this is all the head buffering.
  private line = new Uint8Array(256);
  private lineLen = 0;
  private headBytes = 0;
  private lineCount = 0;
  private start: StartLine | undefined;
  private fields: [string, string][] = [];
  private cseq: string | undefined;
  // First non-fatal problem of the current message; reported once its header block has ended.
  private pendingError: RtspError | undefined;
  private frameHeader = new Uint8Array(4);
  private frameHeaderLen = 0;
  private channel = 0;
  private need = 0;
  private target: Uint8Array | undefined;
  private filled = 0;
  private pendingMessage: StartLine | undefined;
  private pendingHeaders: RtspHeaders | undefined;
  /** A line ended at a CR that closed the last chunk: an LF first in the next one belongs to it. */
  private skipLF = false;

  constructor(limits: Partial<RtspParserLimits> = {}) {
    this.limits = { ...DEFAULT_PARSER_LIMITS, ...limits };
  }

  /** Bytes received and held but not yet returned as an item. */
  get bufferedBytes(): number {
    return this.lineLen + this.frameHeaderLen + this.filled;
  }

  /** True while a message or frame has begun and is not complete: a peer that stops here is half-way (the read timeout). */
  get midMessage(): boolean {
    return this.state !== 'start' && this.state !== 'dead';
  }

  /** True after a fatal error: the connection must be closed, further input is ignored. */
  get closed(): boolean {
    return this.state === 'dead';
  }

  push(chunk: Uint8Array): ParsedItem[] {
    const out: ParsedItem[] = [];
    try {
      this.consume(chunk, out);
    } catch (err) {
      // A bug here must not take the process down: answer 500 and drop the connection.
      const detail = err instanceof Error ? err.message : String(err);
      out.push({ type: 'error', error: new RtspError(500, `internal error in the RTSP parser: ${detail}`, true) });
      this.die();
    }
    return out;
  }

  private consume(chunk: Uint8Array, out: ParsedItem[]): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.skipLF) {
        // The LF of a CRLF whose CR ended the previous chunk (see headStep).
        this.skipLF = false;
        if (chunk[i] === LF) {
          i++;
          continue;
        }
      }
      // Each step consumes from `i` and returns where reading goes on (n: the chunk is used up or dead).
      switch (this.state) {
        case 'dead':
          return;
        case 'start':
          i = this.startStep(chunk, i);
          break;
        case 'frameHeader':
          i = this.frameHeaderStep(chunk, i, out);
          break;
        case 'frame':
        case 'body':
          i = this.payloadStep(chunk, i, out);
          break;
        case 'skip': {
          const take = Math.min(this.need, n - i);
          this.need -= take;
          i += take;
          if (this.need === 0) this.state = 'start';
          break;
        }
        case 'head':
          i = this.headStep(chunk, i, out);
          break;
      }
    }
  }

  private startStep(chunk: Uint8Array, i: number): number {
    const b = chunk[i];
    // CRLF keepalives and stray line ends between messages carry nothing.
    if (b === CR || b === LF) return i + 1;
    if (b === DOLLAR) {
      // §10.12: '$' can only begin a frame where a message would begin.
      this.state = 'frameHeader';
      this.frameHeaderLen = 0;
    } else {
      this.beginHead();
    }
    return i;
  }

  private frameHeaderStep(chunk: Uint8Array, i: number, out: ParsedItem[]): number {
    const n = chunk.length;
    while (this.frameHeaderLen < 4 && i < n) this.frameHeader[this.frameHeaderLen++] = chunk[i++];
    if (this.frameHeaderLen < 4) return n;
    this.frameHeaderLen = 0;
    this.channel = this.frameHeader[1];
    this.need = (this.frameHeader[2] << 8) | this.frameHeader[3];
    this.target = undefined;
    this.filled = 0;
    this.state = 'frame';
    if (this.need === 0) {
      out.push({ type: 'interleaved', channel: this.channel, data: EMPTY });
      this.state = 'start';
    }
    return i;
  }

  /** An interleaved payload ('frame') or a message body ('body') of `need` bytes. */
  private payloadStep(chunk: Uint8Array, i: number, out: ParsedItem[]): number {
    const n = chunk.length;
    let data: Uint8Array | undefined;
    if (this.target === undefined && n - i >= this.need) {
      data = chunk.subarray(i, i + this.need); // whole payload in this chunk: no copy
      i += this.need;
    } else {
      this.target ??= new Uint8Array(this.need);
      const take = Math.min(this.need - this.filled, n - i);
      this.target.set(chunk.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled < this.need) return n;
      data = this.target;
    }
    this.target = undefined;
    this.filled = 0;
    if (this.state === 'frame') out.push({ type: 'interleaved', channel: this.channel, data });
    else this.emitMessage(data, out);
    this.state = 'start';
    return i;
  }

  private headStep(chunk: Uint8Array, i: number, out: ParsedItem[]): number {
    const n = chunk.length;
    const lf = chunk.indexOf(LF, i);
    // The line's bytes end at `end` (a CR before it is stripped by onLine); reading goes on at `next`.
    let end = lf === -1 ? n : lf;
    let next = lf === -1 ? n : lf + 1;
    // RFC 2326 §4: receivers should also take a CR alone as a line end. A CR that is not the
    // one just before the LF ends the line there; at the end of a chunk it may be the first
    // half of a CRLF, so an LF that comes next is skipped (skipLF).
    const cr = chunk.subarray(i, end).indexOf(CR);
    if (cr !== -1 && i + cr !== lf - 1) {
      end = i + cr;
      next = end + 1;
      if (next === n) this.skipLF = true;
    }
    // Checked before buffering so garbage without a newline costs at most maxHeaderBytes.
    const total = this.headBytes + this.lineLen + (next - i);
    if (total > this.limits.maxHeaderBytes) {
      this.fail(out, 431, `the request line and headers exceed ${this.limits.maxHeaderBytes} bytes`);
      return n;
    }
    if (next === end) {
      // No line end in this chunk yet.
      this.appendLine(chunk, i, n);
      return n;
    }
    let bytes: Uint8Array;
    if (this.lineLen === 0) {
      bytes = chunk.subarray(i, end);
    } else {
      this.appendLine(chunk, i, end);
      bytes = this.line.subarray(0, this.lineLen);
    }
    this.headBytes = total;
    this.lineLen = 0;
    this.onLine(bytes, out);
    return next;
  }

  private appendLine(chunk: Uint8Array, from: number, to: number): void {
    const len = to - from;
    if (this.lineLen + len > this.line.length) {
      let cap = this.line.length * 2;
      while (cap < this.lineLen + len) cap *= 2;
      const grown = new Uint8Array(Math.min(cap, Math.max(this.limits.maxHeaderBytes, this.lineLen + len)));
      grown.set(this.line.subarray(0, this.lineLen));
      this.line = grown;
    }
    this.line.set(chunk.subarray(from, to), this.lineLen);
    this.lineLen += len;
  }

  private beginHead(): void {
    this.state = 'head';
    this.headBytes = 0;
    this.lineLen = 0;
    this.lineCount = 0;
    this.start = undefined;
    this.fields = [];
    this.cseq = undefined;
    this.pendingError = undefined;
  }

  private onLine(bytes: Uint8Array, out: ParsedItem[]): void {
    // Bare LF and bare CR are accepted as well as CRLF: people type RTSP into telnet/nc (RFC 2326 §4).
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    const text = decoder.decode(bytes.subarray(0, end));
    this.lineCount++;

    if (this.lineCount === 1) {
      if (text.trim() === '') {
        this.state = 'start'; // a line of spaces typed at a prompt: nothing to answer
        return;
      }
      const parsed = parseStartLine(text);
      if (parsed instanceof RtspError) {
        // Answer at once and resynchronize on the next line, so an interactive user sees why.
        out.push({ type: 'error', error: parsed });
        this.state = 'start';
        return;
      }
      this.start = parsed;
      if (parsed.kind === 'request' && parsed.uri.length > this.limits.maxUriLength) {
        this.pendingError = new RtspError(
          414,
          `the request URI is ${parsed.uri.length} characters long; the limit is ${this.limits.maxUriLength}`,
        );
      }
      return;
    }

    if (text.trim() === '') {
      this.endHead(out);
      return;
    }

    if (text[0] === ' ' || text[0] === '\t') {
      // Folded header (RFC 2326 §4.2 via RFC 2616 §2.2 LWS): continues the previous field.
      const last = this.fields[this.fields.length - 1];
      if (last === undefined) {
        this.pendingError ??= new RtspError(
          400,
          `the header line ${quote(text)} starts with a space, but there is no header above it to continue`,
        );
      } else {
        last[1] = last[1] === '' ? text.trim() : `${last[1]} ${text.trim()}`;
      }
      return;
    }

    const colon = text.indexOf(':');
    const name = colon > 0 ? text.slice(0, colon).trimEnd() : '';
    if (!TOKEN.test(name)) {
      this.pendingError ??= new RtspError(400, `Could not parse the header line ${quote(text)}: expected Name: value, e.g. CSeq: 1`);
      return;
    }
    if (this.fields.length >= this.limits.maxHeaderCount) {
      this.fail(out, 431, `the message has more than ${this.limits.maxHeaderCount} headers`);
      return;
    }
    const value = text.slice(colon + 1).trim();
    this.fields.push([name, value]);
    if (this.cseq === undefined && name.toLowerCase() === 'cseq') this.cseq = value;
  }

  private endHead(out: ParsedItem[]): void {
    const start = this.start;
    if (start === undefined) throw new Error('header block ended without a start line');

    const length = bodyLength(this.fields, this.limits.maxBodyBytes);
    if (typeof length !== 'number') {
      this.fail(out, length.status, length.reason);
      return;
    }

    if (this.pendingError !== undefined) {
      out.push(this.errorItem(this.pendingError));
      this.resetMessage();
      this.need = length;
      this.state = length > 0 ? 'skip' : 'start';
      return;
    }

    this.pendingMessage = start;
    this.pendingHeaders = new RtspHeaders(this.fields);
    this.resetMessage();
    if (length === 0) {
      this.emitMessage(EMPTY, out);
      this.state = 'start';
    } else {
      this.need = length;
      this.target = undefined;
      this.filled = 0;
      this.state = 'body';
    }
  }

  private emitMessage(body: Uint8Array, out: ParsedItem[]): void {
    const start = this.pendingMessage;
    const headers = this.pendingHeaders;
    this.pendingMessage = undefined;
    this.pendingHeaders = undefined;
    if (start === undefined || headers === undefined) throw new Error('body completed without a message');
    const { kind, ...line } = start;
    if (kind === 'request') out.push({ type: 'request', message: { ...(line as RequestLine), headers, body } });
    else out.push({ type: 'response', message: { ...(line as StatusLine), headers, body } });
  }

  private errorItem(error: RtspError): ParsedItem {
    return this.cseq === undefined ? { type: 'error', error } : { type: 'error', error, cseq: this.cseq };
  }

  private resetMessage(): void {
    this.start = undefined;
    this.fields = [];
    this.cseq = undefined;
    this.pendingError = undefined;
    this.headBytes = 0;
    this.lineCount = 0;
  }

  private fail(out: ParsedItem[], status: number, reason: string): void {
    out.push(this.errorItem(new RtspError(status, reason, true)));
    this.die();
  }

  private die(): void {
    this.state = 'dead';
    this.skipLF = false;
    this.line = new Uint8Array(0);
    this.lineLen = 0;
    this.frameHeaderLen = 0;
    this.target = undefined;
    this.filled = 0;
    this.pendingMessage = undefined;
    this.pendingHeaders = undefined;
    this.resetMessage();
  }
}
