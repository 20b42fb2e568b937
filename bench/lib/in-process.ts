// Tidecast inside the bench process (through tsx) for the latency benches, and an ffmpeg that publishes media/sample.mp4 to it live.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { startTidecast, type Tidecast } from '../../server/app.js';
import { makeConfig, type ConfigInput } from '../../server/config.js';
import { silentLogger } from '../../server/log.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { freeRtpPair } from './net.js';
import { ROOT } from './servers.js';

/** Tidecast on loopback with OS-chosen RTSP and HTTP ports, serving media/, silent; `config` adds settings. */
export async function startInProcess(config: ConfigInput = {}): Promise<Tidecast> {
  const rtpPort = await freeRtpPair();
  return startTidecast(
    makeConfig({ rtspPort: 0, httpPort: 0, rtpPort, host: '127.0.0.1', mediaDir: resolve(ROOT, 'media'), logLevel: 'silent', ...config }),
    silentLogger,
  );
}

/** `ffmpeg -re -stream_loop -1 -i media/sample.mp4 -c copy [extra] -f rtsp -rtsp_transport tcp URL`, output ignored. */
export function publishSample(url: string, extra: string[] = []): ChildProcess {
  return spawn(resolveFfmpeg(), ['-v', 'error', '-re', '-stream_loop', '-1', '-i', resolve(ROOT, 'media/sample.mp4'), '-c', 'copy', ...extra, '-f', 'rtsp', '-rtsp_transport', 'tcp', url], {
    stdio: 'ignore',
  });
}
