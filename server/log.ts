// The process logger (pino): one JSON line per event; `LOG_LEVEL` and `--log-level` set the level.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { app: 'tidecast' } });
}

/** A logger that writes nothing: the default for servers started inside tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
