// Starts a Tidecast instance from a config: media paths, configured sources, the RTSP server, its UDP ports and the HTTP port.
import { Auth } from './auth/auth.js';
import type { Config } from './config.js';
import { PathManager } from './core/path-manager.js';
import { HttpServer } from './http/server.js';
import { rtspDirectory } from './rtsp/summary.js';
import { VERSION } from './version.js';
import { HttpTunnels, TUNNEL_PAIR_TIMEOUT_MS } from './http/tunnels/rtsp-over-http.js';
import { takeTunnelPosts } from './http/tunnels/tunnel-posts.js';
import { rtspOverWebSocket } from './http/tunnels/rtsp-over-websocket.js';
import { createLogger, type Logger } from './log.js';
import { RtspServer } from './rtsp/server.js';
import { MediaFileCache } from './sources/file/file-cache.js';
import { FileSource } from './sources/file/file-source.js';
import { DemuxSlots } from './sources/file/demux-slots.js';
import { loadMediaFile } from './sources/file/demux.js';
import { ingestRtp } from './sources/publish/publisher.js';
import { configurePaths } from './configure-paths.js';

export interface Tidecast {
  rtsp: RtspServer;
  rtspPort: number;
  http: HttpServer;
  httpPort: number;
  paths: PathManager;
  /** RTSP over HTTP: the tunnels open and the request heads still being read. */
  tunnels: HttpTunnels;
  close(): Promise<void>;
}

/** The well-known RTSP port; binding it needs root, so without an explicit port we fall back. */
export const RTSP_WELL_KNOWN_PORT = 554;
export const RTSP_FALLBACK_PORT = 8554;

export async function startTidecast(config: Config, log: Logger = createLogger(config.logLevel)): Promise<Tidecast> {
  const files = new FileSource(
    new MediaFileCache({ maxBytes: config.fileCacheBytes, demuxStallMs: config.fileDemuxTimeout * 1000, load: new DemuxSlots(config.maxConcurrentDemuxes).wrap(loadMediaFile) }),
  );
  const paths = new PathManager(config.mediaDir, { files, ingest: ingestRtp }, { gopCacheBytes: config.gopCacheBytes });
  // One Auth for both ports: the same users, login tokens, Digest nonces and failed-login counts.
  const auth = new Auth(config, log);
  const rtsp = new RtspServer(config, paths, log, auth);
  let rtspPort: number;
  if (config.rtspPort !== undefined) {
    rtspPort = await rtsp.listen(config.rtspPort);
  } else {
    // As live555MediaServer does: 554 when we may bind it, else 8554.
    try {
      rtspPort = await rtsp.listen(RTSP_WELL_KNOWN_PORT);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EADDRINUSE') throw e;
      rtspPort = await rtsp.listen(RTSP_FALLBACK_PORT);
    }
  }
  const http = new HttpServer({ config, auth, paths, log, rtspPort, sessions: rtspDirectory(rtsp), version: VERSION });
  // RTSP over WebSocket at /rtsp on the HTTP port: the RTSP server runs the connection.
  http.onUpgrade(rtspOverWebSocket(http.ctx, rtsp));
  let httpPort = 0;
  // RTSP over HTTP (the GET/POST tunnel) on both ports, one registry: the halves pair wherever they land.
  const tunnels = new HttpTunnels(rtsp, log, { pairTimeoutMs: TUNNEL_PAIR_TIMEOUT_MS, maxHeadBytes: config.limits.maxHeaderBytes, maxPendingHeads: config.maxConnections, httpPort: () => httpPort, readTimeoutMs: config.readTimeout * 1000 });
  rtsp.httpOnRtspPort = (socket) => tunnels.acceptSocket(socket);
  tunnels.interceptHttp(http.server);
  takeTunnelPosts(http.server, tunnels, { maxHeadBytes: config.limits.maxHeaderBytes, readTimeoutMs: config.readTimeout * 1000 });
  // Sources need the bound port: ffmpeg publishes to it.
  try {
    httpPort = await http.listen(config.httpPort, config.host);
    configurePaths(config, paths, rtspPort, log, auth);
    await paths.startAlwaysOn();
  } catch (e) {
    await paths.stopSources('startup failed');
    tunnels.close();
    await Promise.all([rtsp.close(), http.close()]);
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    rtsp,
    rtspPort,
    http,
    httpPort,
    paths,
    tunnels,
    // Sources first: an ffmpeg child must be stopped on purpose (and reaped), not see its
    // connection drop and be restarted.
    close: () => (closing ??= paths.stopSources('server shutting down').then(() => {
      tunnels.close();
      return Promise.all([rtsp.close(), http.close()]).then(() => undefined);
    })),
  };
}
