// Starts a Tidecast instance from a config: media paths, configured sources, the RTSP server, its UDP ports and the HTTP port.
import { Auth } from './auth/auth.js';
import type { Config, ConfigInput } from './config.js';
import { PathManager } from './core/path-manager.js';
import { drainClients, type DrainOptions, type DrainReport } from './core/drain.js';
import { HttpServer } from './http/server.js';
import { rtspDirectory } from './rtsp/summary.js';
import { VERSION } from './version.js';
import { HttpTunnels, TUNNEL_PAIR_TIMEOUT_MS } from './http/tunnels/rtsp-over-http.js';
import { takeTunnelPosts } from './http/tunnels/tunnel-posts.js';
import { rtspOverWebSocket } from './http/tunnels/rtsp-over-websocket.js';
import { componentLogs, createLogger, type Logger } from './log.js';
import { RtspServer } from './rtsp/server.js';
import { announcedMulticast, type AnnouncedMulticast } from './rtsp/announced-multicast.js';
import { MediaFileCache } from './sources/file/file-cache.js';
import { FileSource } from './sources/file/file-source.js';
import { DemuxSlots } from './sources/file/demux-slots.js';
import { loadMediaFile } from './sources/file/demux.js';
import { ingestRtp } from './sources/publish/publisher.js';
import { configurePath, configurePaths, hookLookup, withBuiltInPaths } from './configure-paths.js';
import { Hooks } from './hooks/hooks.js';
import { Reloader } from './reload/reloader.js';
import { hasCertificate, rtspsEnabled } from './config-tls.js';
import { HttpsListener } from './http/secure.js';
import { RtspsListener } from './rtsp/tls/listener.js';
import { CertificateFiles } from './tls/certificate.js';
import { Recorders } from './record/recorders.js';
import { recordingsConfig } from './record/settings.js';
import { RecordingReader } from './record/read/recordings.js';

export interface Tidecast {
  rtsp: RtspServer;
  rtspPort: number;
  http: HttpServer;
  httpPort: number;
  paths: PathManager;
  /** runOn* commands (docs/hooks.md). */
  hooks: Hooks | undefined;
  /** RTSP over HTTP: the tunnels open and the request heads still being read. */
  tunnels: HttpTunnels;
  /** With serverCert/serverKey: the pair (reloaded when the files change), and the TLS ports bound. */
  certs: CertificateFiles | undefined;
  /** RTSPS, unless rtspEncryption is `no`. */
  rtspsPort: number | undefined;
  /** HTTPS and WSS. */
  httpsPort: number | undefined;
  /** Reloads the config file (watched, SIGHUP) and makes the config API's edits. */
  reloader: Reloader;
  /** Recording to disk (docs/recording.md). */
  recorders: Recorders;
  /** Paths kept on their multicast groups and announced by SAP; GET /<path>.sdp (docs/sdp-sap.md). */
  announced: AnnouncedMulticast;
  /**
   * Drains (core/drain.ts, docs/drain.md): new requests answer 302 to `location`, every RTSP session
   * gets REDIRECT, progressive readers end; once none is left (or after `graceMs`, when those left
   * are torn down) the server closes. A second call returns the first one's promise.
   */
  drain(opts: DrainOptions): Promise<DrainReport>;
  close(): Promise<void>;
}

/** The well-known RTSP port; binding it needs root, so without an explicit port we fall back. */
export const RTSP_WELL_KNOWN_PORT = 554;
export const RTSP_FALLBACK_PORT = 8554;

/** Where the config came from: a reload reads `configFile` again and puts the flags (`overrides`) on top, as at start. */
export interface ConfigOrigin {
  configFile?: string | undefined;
  overrides?: ConfigInput;
}

export async function startTidecast(config: Config, log: Logger = createLogger(config.logLevel, config.logFormat), origin: ConfigOrigin = {}): Promise<Tidecast> {
  // Each part logs under its component ([RTSP], [HLS], ...): the children are made here and handed down.
  const logs = componentLogs(log);
  // First: a certificate that cannot be read stops the start before any port is bound.
  const certs = hasCertificate(config) ? new CertificateFiles(config.serverCert!, config.serverKey!, logs.TLS) : undefined;
  const files = new FileSource(
    new MediaFileCache({ maxBytes: config.fileCacheBytes, demuxStallMs: config.fileDemuxTimeout * 1000, load: new DemuxSlots(config.maxConcurrentDemuxes).wrap(loadMediaFile) }),
  );
  const paths = new PathManager(config.mediaDir, { files, ingest: ingestRtp }, { gopCacheBytes: config.gopCacheBytes });
  // One Auth for both ports: the same users, login tokens, Digest nonces and failed-login counts.
  const auth = new Auth(config, logs.AUTH, { counters: paths.counters });
  const rtsp = new RtspServer(config, paths, logs.RTSP, auth);
  let rtspPort: number;
  try {
    rtspPort = await listenRtsp(rtsp, config);
  } catch (e) {
    certs?.close();
    throw e;
  }
  const http = new HttpServer({ config, auth, paths, log: logs.HTTP, logs, rtspPort, sessions: rtspDirectory(rtsp), version: VERSION });
  // RTSP over WebSocket at /rtsp on the HTTP port: the RTSP server runs the connection.
  http.onUpgrade(rtspOverWebSocket(http.ctx, rtsp));
  const announced = announcedMulticast(config, rtsp.multicast, paths, logs.RTSP, () => ({ rtspPort, rtspsPort: rtsp.rtspsPort }));
  http.ctx.descriptions = announced.descriptions;
  let httpPort = 0;
  // RTSP over HTTP (the GET/POST tunnel) on both ports, one registry: the halves pair wherever they land.
  const tunnels = new HttpTunnels(rtsp, logs.HTTP, { pairTimeoutMs: TUNNEL_PAIR_TIMEOUT_MS, maxHeadBytes: config.limits.maxHeaderBytes, maxPendingHeads: config.maxConnections, httpPort: () => httpPort, readTimeoutMs: config.readTimeout * 1000 });
  rtsp.httpOnRtspPort = (socket) => tunnels.acceptSocket(socket);
  tunnels.interceptHttp(http.server);
  takeTunnelPosts(http.server, tunnels, { maxHeadBytes: config.limits.maxHeaderBytes, readTimeoutMs: config.readTimeout * 1000 });
  // TLS beside the plain ports, made after the HTTP port is wired: HTTPS serves what it serves.
  const tls = tlsListeners(config, certs, rtsp, http, logs.TLS);
  let ports: { rtspsPort: number | undefined; httpsPort: number | undefined };
  let hooks: Hooks | undefined;
  let reloader: Reloader;
  let recorders: Recorders | undefined;
  // Sources need the bound port: ffmpeg publishes to it.
  try {
    httpPort = await http.listen(config.httpPort, config.host);
    ports = await tls.listen();
    rtsp.rtspsPort = ports.rtspsPort;
    // Under rtspEncryption strict our own ffmpeg sources publish over RTSPS too.
    const strict = config.rtspEncryption === 'strict' && ports.rtspsPort !== undefined;
    // Hooks see the plain ports (RTSP_PORT, HTTP_PORT); runOnDemand sources publish where ffmpeg sources do.
    hooks = new Hooks(paths, { rtspPort, httpPort }, logs.HOOK);
    const setup = configurePaths(config, paths, strict ? ports.rtspsPort! : rtspPort, log, auth, strict ? 'rtsps' : 'rtsp', hooks);
    const lookup = hookLookup(config);
    hooks.configure(config.paths, lookup);
    hooks.start();
    const h = hooks;
    reloader = new Reloader(
      {
        config, paths, auth, log: logs.CONF, effectivePaths: withBuiltInPaths, configurePath: (n, p) => configurePath(setup, n, p),
        applied: (next) => {
          h.configure(next.paths, lookup);
          recorders?.reconfigure(recordingsConfig(next));
          announced.paths.reconfigure();
        },
      },
      origin.configFile,
      origin.overrides,
    );
    http.ctx.configEditor = reloader;
    // Recorders listen to paths becoming ready: started before the always-on sources so none is missed.
    recorders = new Recorders(paths, recordingsConfig(config), logs.REC, (path, seg) => h.recordSegmentComplete(path, seg));
    recorders.start();
    http.ctx.recordings = recorders;
    // Playback by time (HTTP clips, HLS playlists, RTSP clock= ranges) reads the recordings through one reader and its index cache.
    const reader = new RecordingReader(recorders);
    http.ctx.recordingReader = reader;
    rtsp.recordingReader = reader;
    // Before the always-on sources too: a multicast path's first ready event must be heard.
    announced.paths.start();
    await paths.startAlwaysOn();
    reloader.watch();
  } catch (e) {
    await announced.close();
    await recorders?.close();
    await hooks?.close();
    await paths.stopSources('startup failed');
    tunnels.close();
    await Promise.all([rtsp.close(), http.close()]);
    await tls.close();
    throw e;
  }
  let closing: Promise<void> | undefined;
  let draining: Promise<DrainReport> | undefined;
  const app: Tidecast = {
    rtsp,
    rtspPort,
    http,
    httpPort,
    paths,
    hooks,
    tunnels,
    certs,
    ...ports,
    reloader,
    recorders: recorders!,
    announced,
    // Sources first: an ffmpeg child must be stopped on purpose (and reaped), not see its
    // connection drop and be restarted. Hooks with them (closed first, so the sources' ends start no
    // runOnNotReady): every command killed and reaped.
    close: () => {
      reloader.close();
      // Recorders first too: every segment's last part reaches the disk (and its hook runs) before hooks stop.
      return (closing ??= recorders!.close().then(() => Promise.all([hooks?.close(), paths.stopSources('server shutting down')])).then(async () => {
        tunnels.close();
        // SAP deletions leave while the groups still carry the paths (rtsp.close ends the senders).
        await announced.close();
        await Promise.all([rtsp.close(), http.close()]);
        await tls.close();
      }));
    },
    drain: (opts) =>
      (draining ??= drainClients(paths.clients, paths.drain, opts).then(async (report) => {
        log.info({ ...report, location: opts.location }, `drained to ${opts.location}: ${report.redirected} session(s) redirected, ${report.tornDown} torn down at the grace time; closing`);
        await app.close();
        return report;
      })),
  };
  http.ctx.drain = (opts) => app.drain(opts);
  return app;
}

/** RTSPS (unless rtspEncryption is `no`) and HTTPS/WSS when there is a certificate: bound by `listen`, closed with the certificate watch. */
function tlsListeners(config: Config, certs: CertificateFiles | undefined, rtsp: RtspServer, http: HttpServer, log: Logger) {
  const rtsps = certs && rtspsEnabled(config) ? new RtspsListener(rtsp, certs, { host: config.host, maxConnections: config.maxConnections }, log) : undefined;
  const https = certs ? new HttpsListener(http, certs, config.host, log) : undefined;
  return {
    async listen(): Promise<{ rtspsPort: number | undefined; httpsPort: number | undefined }> {
      const rtspsPort = rtsps ? await rtsps.listen(config.rtspsPort) : undefined;
      const httpsPort = https ? await https.listen(config.httpsPort) : undefined;
      return { rtspsPort, httpsPort };
    },
    async close(): Promise<void> {
      await Promise.all([rtsps?.close(), https?.close()]);
      certs?.close();
    },
  };
}

/** The RTSP port: the configured one, or as live555MediaServer does, 554 when we may bind it, else 8554. */
async function listenRtsp(rtsp: RtspServer, config: Config): Promise<number> {
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
  return rtspPort;
}
