// What `tidecast serve` says once it listens: the ports and a command to try, then what it serves and how UDP is sent.
import type { Config } from './config.js';
import type { Logger } from './log.js';

/** What the lines say of the started server (app.ts's Tidecast has it). */
export interface Started {
  rtspPort: number;
  httpPort: number;
  rtspsPort: number | undefined;
  httpsPort: number | undefined;
  paths: { list(): string[]; readonly mediaDir: string };
  rtsp: { ports: { senderNote: string } };
}

/**
 * Two lines a terminal reads at a glance; their fields carry the same for JSON. The first keeps its
 * form (`HTTP on port N; RTSP on port M...: try ffplay ...`): scripts wait for it.
 */
export function startupLines(log: Logger, config: Config, app: Started): void {
  const files = app.paths.list();
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const tls = [app.rtspsPort !== undefined ? `; RTSPS on port ${app.rtspsPort}` : '', app.httpsPort !== undefined ? `; HTTPS and WSS on port ${app.httpsPort}` : ''].join('');
  const fallback = config.rtspPort === undefined && app.rtspPort !== 554 ? ' (554 needs root or is taken, so 8554)' : '';
  const strict = config.rtspEncryption === 'strict' ? ' (refused: rtspEncryption strict)' : '';
  const tryUrl = `${app.rtspsPort !== undefined ? `rtsps://${host}:${app.rtspsPort}` : `rtsp://${host}:${app.rtspPort}`}/${files.includes('sample.mp4') ? 'sample.mp4' : (files[0] ?? 'sample.mp4')}`;
  log.info(
    { rtspPort: app.rtspPort, httpPort: app.httpPort, rtspsPort: app.rtspsPort, httpsPort: app.httpsPort },
    `HTTP on port ${app.httpPort}; RTSP on port ${app.rtspPort}${fallback}${strict}${tls}: try ffplay ${tryUrl}`,
  );
  const rtp = config.rtpPort;
  log.info(
    { mediaDir: app.paths.mediaDir, files: files.length, rtpPort: rtp, rtcpPort: rtp + 1, udpSender: app.rtsp.ports.senderNote, rtspEncryption: config.rtspEncryption },
    `serving ${app.paths.mediaDir}; RTP/RTCP over UDP on ports ${rtp}-${rtp + 1} (${app.rtsp.ports.senderNote}); RTSP encryption ${config.rtspEncryption}`,
  );
}
