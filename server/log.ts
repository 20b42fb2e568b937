// The process logger (pino): readable lines on a terminal, JSON lines otherwise (`logFormat`, `--log-format`); `LOG_LEVEL` and `--log-level` set the level.
import { pino, type DestinationStream, type Logger } from 'pino';
import { formatLogLine } from './util/log-format.js';

export type { Logger };

export const LOG_FORMATS = ['auto', 'text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Where lines go and what it is: stdout unless a test passes a stream of its own. */
export interface LogOutput {
  write(line: string): unknown;
  /** A terminal: `auto` writes text, coloured unless NO_COLOR is set. */
  isTTY?: boolean;
}

/** The part of the server each line comes from (the `component` field, `[RTSP]` in text). */
export const LOG_COMPONENTS = ['MAIN', 'RTSP', 'HTTP', 'HLS', 'API', 'AUTH', 'TLS', 'RELAY', 'FFMPEG', 'FILE', 'HOOK', 'CONF', 'REC', 'CLUSTER'] as const;
export type LogComponent = (typeof LOG_COMPONENTS)[number];
export type ComponentLogs = Record<LogComponent, Logger>;

/** `auto` is text on a terminal and JSON lines anywhere else (a pipe, a file, a collector). */
export function resolveLogFormat(format: LogFormat, isTTY: boolean): 'text' | 'json' {
  return format === 'auto' ? (isTTY ? 'text' : 'json') : format;
}

/** NO_COLOR (https://no-color.org): set and not empty turns colours off. */
export function colourWanted(isTTY: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return isTTY && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/**
 * The process logger. Text is formatted in this thread by the destination stream, line by line and
 * synchronously (no transport worker); JSON lines are pino's own.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', format: LogFormat = 'auto', out?: LogOutput): Logger {
  const isTTY = out ? out.isTTY === true : process.stdout.isTTY === true;
  const dest: LogOutput = out ?? pino.destination({ dest: 1, sync: true });
  const opts = { level, base: { app: 'tidecast' } };
  if (resolveLogFormat(format, isTTY) === 'json') return pino(opts, dest as DestinationStream);
  return pino(opts, textStream(dest, colourWanted(isTTY)));
}

/** A destination that turns each JSON line pino writes into a readable one. */
function textStream(dest: LogOutput, color: boolean): DestinationStream {
  return {
    write(line: string): void {
      let o: unknown;
      try {
        o = JSON.parse(line);
      } catch {
        dest.write(line);
        return;
      }
      dest.write(o !== null && typeof o === 'object' ? formatLogLine(o as Record<string, unknown>, { color }) : line);
    },
  };
}

/** One child logger per component, made where the server is put together and handed down. */
export function componentLogs(log: Logger): ComponentLogs {
  const logs = {} as ComponentLogs;
  for (const c of LOG_COMPONENTS) logs[c] = log.child({ component: c });
  return logs;
}

/** A logger that writes nothing: the default for servers started inside tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
