// Requests the server sends on a client connection (ANNOUNCE, REDIRECT): their own CSeq numbering, and the client's answers matched to them.
import { RtspHeaders } from '../headers-map.js';
import { serializeRequest, type RtspResponse } from '../message.js';

/** Answers awaited at once per connection; an older request whose answer never came is forgotten (the client may ignore us). */
const MAX_AWAITED = 8;

export interface SentRequest {
  method: string;
  cseq: number;
  sentAt: number;
}

/**
 * RFC 2326 §12.17: CSeq numbers requests per direction, so the server's own requests count from 1
 * on each connection, apart from the client's. A client's answer is a response on the server's
 * connection; it is matched here by CSeq and reported, never mistaken for a request.
 */
export class ServerOutbox {
  private cseq = 0;
  private readonly awaited = new Map<number, SentRequest>();
  /** Answers received, by status (the log and tests read them). */
  readonly answers: { method: string; status: number }[] = [];

  /** The bytes of a request with the next CSeq; the caller writes them as one message. */
  build(method: string, uri: string, headers: Record<string, string>, body?: Uint8Array): Uint8Array {
    const cseq = ++this.cseq;
    const h = new RtspHeaders({ CSeq: String(cseq), ...headers });
    const bytes = serializeRequest({ method, uri, version: 'RTSP/1.0', headers: h, body: body ?? new Uint8Array(0) });
    this.awaited.set(cseq, { method, cseq, sentAt: performance.now() });
    if (this.awaited.size > MAX_AWAITED) this.awaited.delete(this.awaited.keys().next().value!);
    return bytes;
  }

  /** A response from the client: the request it answers, or undefined for one we did not send (ignored, RFC 2326 §7). */
  answer(res: RtspResponse): SentRequest | undefined {
    const raw = res.headers.get('CSeq')?.trim();
    if (raw === undefined || !/^\d{1,10}$/.test(raw)) return undefined;
    const sent = this.awaited.get(Number(raw));
    if (!sent) return undefined;
    this.awaited.delete(sent.cseq);
    if (this.answers.length < 64) this.answers.push({ method: sent.method, status: res.status });
    return sent;
  }
}
