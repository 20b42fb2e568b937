// The body length of an RTSP message from its Content-Length headers (RFC 2326 §12.14).
import { quote } from './start-line.js';

/**
 * Content-Length alone frames the body; if it is unusable the next message's start is unknown, so
 * every refusal here is fatal to the connection. No header means no body.
 */
export function bodyLength(fields: readonly [string, string][], maxBodyBytes: number): number | { status: number; reason: string } {
  const lengths = fields.filter(([name]) => name.toLowerCase() === 'content-length').map(([, v]) => v);
  if (lengths.length === 0) return 0;
  if (lengths.some((v) => v !== lengths[0])) {
    return { status: 400, reason: `Content-Length is given twice with different values (${lengths.map(quote).join(', ')})` };
  }
  const first = lengths[0]!;
  if (!/^\d+$/.test(first)) return { status: 400, reason: `Content-Length must be a number of bytes, got ${quote(first)}` };
  const length = Number(first);
  if (length > maxBodyBytes) return { status: 413, reason: `the body is ${first} bytes; the limit is ${maxBodyBytes}` };
  return length;
}
