// A pino logger whose JSON lines a test can read: startTestServer(config, { log: capture.logger }).
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface LogCapture {
  logger: Logger;
  lines: LogLine[];
  /** Lines at warn (40) or above whose fields match `pred`. */
  warnings(pred?: (l: LogLine) => boolean): LogLine[];
}

/** Lines kept at most: a test that floods the log must not grow memory without bound. */
const MAX_LINES = 10_000;

export function captureLog(level = 'info'): LogCapture {
  const lines: LogLine[] = [];
  let partial = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      partial += chunk.toString('utf8');
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const text = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        if (lines.length < MAX_LINES && text.trim()) lines.push(JSON.parse(text) as LogLine);
      }
      done();
    },
  });
  // Synchronous writes to the stream: a line is readable as soon as the server logged it.
  const logger = pino({ level, base: { app: 'tidecast' } }, sink);
  return { logger, lines, warnings: (pred = () => true) => lines.filter((l) => l.level >= 40 && pred(l)) };
}
