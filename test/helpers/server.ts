// Starts a real Tidecast on free ports for a test file, with the bundled media.
import { resolve } from 'node:path';
import { startTidecast, type Tidecast } from '../../server/app.js';
import { makeConfig, type ConfigInput } from '../../server/config.js';
import { silentLogger, createLogger, type Logger } from '../../server/log.js';

export const MEDIA_DIR = resolve(import.meta.dirname, '../../media');

export interface TestServer extends Tidecast {
  url(path: string): string;
  /** http://127.0.0.1:<httpPort>/<path> */
  httpUrl(path: string): string;
  rtpPort: number;
}

/**
 * Tries random even RTP ports until a pair binds (tests in parallel forks must not collide).
 * `opts.log` receives the server's log (test/helpers/log-capture.ts), else it is silent.
 */
export async function startTestServer(overrides: ConfigInput = {}, opts: { log?: Logger } = {}): Promise<TestServer> {
  let lastErr: unknown;
  for (let attempt = 0; attempt < 20; attempt++) {
    const rtpPort = 20000 + 2 * Math.floor(Math.random() * 15000);
    const config = makeConfig({ rtspPort: 0, httpPort: 0, rtpPort, host: '127.0.0.1', mediaDir: MEDIA_DIR, logLevel: 'silent', ...overrides });
    try {
      const app = await startTidecast(config, opts.log ?? (process.env.TEST_LOG ? createLogger('debug') : silentLogger));
      return {
        ...app,
        rtpPort,
        url: (p: string) => `rtsp://127.0.0.1:${app.rtspPort}/${p}`,
        httpUrl: (p: string) => `http://127.0.0.1:${app.httpPort}/${p}`,
      };
    } catch (e) {
      lastErr = e;
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
  throw lastErr;
}
