// The HTTP port's limits: sockets per port and per address (PortGuard), request heads within readTimeout, and the answers to each refusal.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Config } from '../config.js';
import type { NoticeLog } from '../limits/notice-log.js';
import { PortGuard, refusalOf } from '../limits/port-guard.js';

const json = (status: number, why: string): string => JSON.stringify({ error: why, status });

/** A whole HTTP/1.1 answer with a JSON body, written straight to a socket (no request object exists yet). */
export function rawJsonAnswer(status: number, why: string): string {
  const reason = { 400: 'Bad Request', 405: 'Method Not Allowed', 408: 'Request Timeout', 413: 'Payload Too Large', 431: 'Request Header Fields Too Large', 503: 'Service Unavailable' }[status] ?? 'Error';
  const body = json(status, why);
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`;
}

/** Answers 503 at once, unread, and closes once it is written. */
export function refuseRawHttp(socket: Duplex, why: string): void {
  socket.end(rawJsonAnswer(503, why));
  (socket as Socket).destroySoon?.();
}

/**
 * The HTTP port's guard: every socket is counted at `connection`; a refused one is answered when
 * its request arrives (503 JSON here, a WebSocket close 1013 in the WebSocket tunnel, 503 for a
 * tunnel GET), or cut off after the grace period. Node's own head timer (headersTimeout, checked
 * every second or so) closes a socket whose request head is not complete readTimeout after it
 * started, or after it connected (Node starts the clock at the connection: a silent socket too).
 */
export function guardHttpPort(server: Server, config: Config, notices: NoticeLog): PortGuard {
  const guard = new PortGuard('HTTP', config, notices, refuseRawHttp);
  const readMs = Math.round(config.readTimeout * 1000);
  server.headersTimeout = readMs;
  server.on('connection', (s: Socket) => guard.admit(s));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket, config.readTimeout));
  return guard;
}

/** Node's check interval for headersTimeout (a server option, so it is given at creation). */
export function connectionsCheckingInterval(config: Config): number {
  return Math.max(100, Math.min(1000, Math.round(config.readTimeout * 500)));
}

/** True (and answered) when the request's socket was refused at the port: 503 JSON with the reason. */
export function refusedRequest(req: IncomingMessage, res: ServerResponse): boolean {
  const why = refusalOf(req.socket);
  if (why === undefined) return false;
  if (res.headersSent || req.socket.writableEnded) return true;
  const body = json(503, why);
  res.writeHead(503, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', Connection: 'close' });
  res.end(body);
  return true;
}

/** A request the parser could not take (a late or malformed head): a JSON answer in words, as for every other error. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, readTimeout: number): void {
  // As Node does by default: answer only when nothing has been written on this socket yet.
  const s = socket as Socket;
  if (err.code === 'ECONNRESET' || !s.writable || (s.bytesWritten ?? 0) > 0) {
    socket.destroy();
    return;
  }
  let answer: [number, string];
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') answer = [408, `the request head was not complete within ${readTimeout} s (readTimeout)`];
  else if (err.code === 'HPE_HEADER_OVERFLOW') answer = [431, 'the request head is too large'];
  else answer = [400, `could not parse the HTTP request: ${(err.message || String(err.code)).slice(0, 120)}`];
  socket.end(rawJsonAnswer(answer[0], answer[1]));
  s.destroySoon?.();
}
