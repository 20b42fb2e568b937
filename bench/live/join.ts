// First decodable frame for a reader that joins a live path mid-GOP, measured with ffmpeg.
//
// ffmpeg connects through a one-connection TCP proxy in this process (RTSP over TCP, so the RTP
// passes through it too). The clock starts when the proxy forwards ffmpeg's PLAY request and stops
// when ffmpeg writes the first byte of its first decoded picture to stdout (raw video). ffmpeg's
// own startup, DESCRIBE and SETUP are therefore not counted; its probing and the decode of that
// frame are. Only an I picture counts (a `select` filter after the decoder): ffmpeg's H.264
// decoder would otherwise output a picture a few P-frames into a mid-GOP join, a guess built on
// references it never got. Without a GOP cache the time therefore includes the wait for the next
// key frame, up to a GOP.
import { spawn } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { percentile } from '../lib/stats.js';
import { sleep } from '../lib/net.js';

export interface JoinTrial {
  /** PLAY forwarded to first decoded picture on stdout, ms (undefined: none within the timeout). */
  firstFrameMs?: number;
  /** PLAY forwarded to the first interleaved byte from the server, ms. */
  firstRtpMs?: number;
  /** Random wait before this trial, ms: where in the GOP it joined. */
  offsetMs: number;
  /** ffmpeg's stderr (loglevel error): decoder complaints mean it saw frames it could not decode. */
  errors: string;
}

export interface JoinResult {
  trials: JoinTrial[];
  firstFrameMs: { p50: number; p95: number; max: number; count: number };
  firstRtpMs: { p50: number; max: number };
}

/**
 * ffmpeg flags: RTSP over TCP; no fps probing (by default it waits for 20 frames) and the smallest
 * probe (the SDP has SPS/PPS and the AAC config); one decoder thread and low_delay (frame threads
 * and the B-frame reorder buffer would hold a decoded picture back); `select` passes only an I
 * picture, so a picture counts only if it decodes clean; no frame-rate conversion (CFR output waits
 * for the next frame); -frames:v 1 writes the first such picture.
 */
export const FFMPEG_JOIN_ARGS = (url: string): string[] => [
  '-hide_banner', '-nostdin', '-loglevel', 'error',
  '-rtsp_transport', 'tcp', '-probesize', '32', '-analyzeduration', '0', '-fpsprobesize', '0',
  '-threads', '1', '-flags', 'low_delay',
  '-i', url,
  '-map', '0:v:0', '-vf', 'select=eq(pict_type\\,I)', '-fps_mode', 'passthrough', '-frames:v', '1',
  '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1',
];

async function trial(serverPort: number, path: string, offsetMs: number, timeoutMs: number): Promise<JoinTrial> {
  let playAt = 0;
  let firstRtpAt = 0;
  const sockets: Socket[] = [];
  let port = 0;
  const proxy = createServer((c) => {
    const up = connect(serverPort, '127.0.0.1');
    sockets.push(c, up);
    c.on('data', (d: Buffer) => {
      if (d[0] !== 0x24) {
        // RTSP text: name the server's own port in URLs, as a direct reader would (gst-rtsp-server
        // keys its shared media by the whole URL: a proxy port would get a fresh pipeline).
        const text = d.toString('latin1');
        if (playAt === 0 && /(^|\n)PLAY /.test(text)) playAt = performance.now();
        // And drop PLAY's Range (ffmpeg always sends npt=0.000-): on the peer's shared file media it
        // would seek the one pipeline back to its start, for every reader, and hand this reader a
        // key frame at once, which a live source cannot do. Tidecast ignores it on a live path.
        const out = text.replaceAll(`127.0.0.1:${port}/`, `127.0.0.1:${serverPort}/`).replace(/\r\nRange: [^\r\n]*/i, '');
        d = Buffer.from(out, 'latin1');
      }
      up.write(d);
    });
    up.on('data', (d: Buffer) => {
      if (playAt > 0 && firstRtpAt === 0 && d[0] === 0x24) firstRtpAt = performance.now();
      c.write(d);
    });
    const close = (): void => {
      c.destroy();
      up.destroy();
    };
    c.on('error', close).on('close', close);
    up.on('error', close).on('close', close);
  });
  port = await new Promise<number>((res) => proxy.listen(0, '127.0.0.1', () => res((proxy.address() as { port: number }).port)));
  const ff = spawn('ffmpeg', FFMPEG_JOIN_ARGS(`rtsp://127.0.0.1:${port}${path}`), { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  ff.stderr.on('data', (b: Buffer) => {
    if (errors.length < 2000) errors += b.toString();
  });
  const frameAt = await new Promise<number>((res) => {
    const timer = setTimeout(() => {
      ff.kill('SIGKILL');
      res(0);
    }, timeoutMs);
    ff.stdout.once('data', () => {
      clearTimeout(timer);
      res(performance.now());
    });
    ff.once('exit', () => {
      clearTimeout(timer);
      res(0);
    });
  });
  ff.stdout.resume();
  if (ff.exitCode === null) {
    const exited = new Promise((r) => ff.once('exit', r));
    setTimeout(() => ff.kill('SIGKILL'), 3000).unref();
    await exited;
  }
  for (const s of sockets) s.destroy();
  await new Promise((r) => proxy.close(r));
  return {
    offsetMs,
    firstFrameMs: frameAt > 0 && playAt > 0 ? frameAt - playAt : undefined,
    firstRtpMs: firstRtpAt > 0 ? firstRtpAt - playAt : undefined,
    errors: errors.trim(),
  };
}

/** `count` ffmpeg readers one after another, each after a random wait within one GOP. */
export async function joinTrials(serverPort: number, path: string, count: number, gopMs: number): Promise<JoinResult> {
  const trials: JoinTrial[] = [];
  for (let i = 0; i < count; i++) {
    const offsetMs = Math.floor(Math.random() * gopMs);
    await sleep(offsetMs);
    trials.push(await trial(serverPort, path, offsetMs, 4 * gopMs + 3000));
  }
  const ff = trials.map((t) => t.firstFrameMs).filter((x): x is number => x !== undefined);
  const fr = trials.map((t) => t.firstRtpMs).filter((x): x is number => x !== undefined);
  return {
    trials,
    firstFrameMs: { p50: percentile(ff, 50), p95: percentile(ff, 95), max: ff.length ? Math.max(...ff) : NaN, count: ff.length },
    firstRtpMs: { p50: percentile(fr, 50), max: fr.length ? Math.max(...fr) : NaN },
  };
}
