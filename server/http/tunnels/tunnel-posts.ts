// RTSP-over-HTTP POSTs on the HTTP port are taken off the socket before Node's HTTP parser reads them: their body never ends.
//
// A tunnel POST declares a dummy Content-Length (32767 from ffmpeg, VLC and QuickTime) and then
// sends base64 for as long as the session lasts. Read through Node's parser, the body ended at
// 32767 bytes and what came next was parsed as a new HTTP request: a 400 that cut the tunnel
// (a long ANNOUNCE, or an hour of ffmpeg's keep-alives and receiver reports). So the HTTP port
// looks at each connection's head first, as httpolyglot-style servers do: a POST naming a tunnel
// goes to the same raw-socket reader as on the RTSP port, anything else to Node untouched.
import type { Server as HttpNodeServer } from 'node:http';
import type { Socket } from 'node:net';
import { parseHead, TUNNEL_CONTENT_TYPE, type HttpTunnels } from './rtsp-over-http.js';

export interface TunnelPostOptions {
  /** A head longer than this is left to Node (which answers 431). */
  maxHeadBytes: number;
  /** A POST head still incomplete after this is left to Node (its own timers answer it). */
  readTimeoutMs: number;
}

const POST = 'POST ';

export function takeTunnelPosts(server: HttpNodeServer, tunnels: HttpTunnels, opts: TunnelPostOptions): void {
  // Node's own listener (added by http.Server's constructor) parses HTTP; it runs once a socket is known not to be a tunnel POST.
  const node = server.listeners('connection')[0] as ((s: Socket) => void) | undefined;
  if (!node) throw new Error('the HTTP server has no connection listener to put the tunnel check before');
  server.removeListener('connection', node);
  server.on('connection', (sock: Socket) =>
    peek(sock, tunnels, opts, (s) => {
      node.call(server, s);
      s.resume();
    }),
  );
}

function peek(sock: Socket, tunnels: HttpTunnels, opts: TunnelPostOptions, toHttp: (s: Socket) => void): void {
  let buf: Buffer = Buffer.alloc(0);
  const hand = (to: (s: Socket) => void): void => {
    clearTimeout(timer);
    sock.off('data', onData);
    sock.off('end', onEnd);
    sock.pause();
    if (buf.length > 0) sock.unshift(buf);
    to(sock);
  };
  const onData = (chunk: Buffer): void => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    const start = buf.toString('latin1', 0, Math.min(buf.length, POST.length));
    if (!POST.startsWith(start)) return hand(toHttp);
    if (start.length < POST.length) return;
    const m = /\r?\n\r?\n/.exec(buf.toString('latin1', 0, Math.min(buf.length, opts.maxHeadBytes + 4)));
    if (!m) {
      if (buf.length > opts.maxHeadBytes) hand(toHttp);
      return;
    }
    const head = parseHead(buf.toString('latin1', 0, m.index));
    const tunnel = head !== undefined && (head.headers.has('x-sessioncookie') || (head.headers.get('content-type') ?? '').includes(TUNNEL_CONTENT_TYPE));
    hand(tunnel ? (s) => tunnels.acceptSocket(s) : toHttp);
  };
  const onEnd = (): void => hand(toHttp);
  const timer = setTimeout(() => hand(toHttp), opts.readTimeoutMs);
  timer.unref();
  sock.on('data', onData);
  sock.on('end', onEnd);
}
