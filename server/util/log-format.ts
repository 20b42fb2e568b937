// The readable form of a log line (pino's JSON object): `12:03:04 INF [RTSP] message key=value ...`, coloured on a terminal.

/** pino's numeric levels and their three-letter names. */
const LEVELS: Record<number, string> = { 10: 'TRC', 20: 'DBG', 30: 'INF', 40: 'WRN', 50: 'ERR', 60: 'FTL' };

const ESC = '\u001b[';
const RESET = `${ESC}0m`;
const DIM = `${ESC}2m`;
const BOLD = `${ESC}1m`;
const LEVEL_COLOURS: Record<string, string> = {
  TRC: `${ESC}90m`,
  DBG: `${ESC}36m`,
  INF: `${ESC}32m`,
  WRN: `${ESC}33m`,
  ERR: `${ESC}31m`,
  FTL: `${ESC}1;35m`,
};

/** Keys every line has (said by the prefix) or that only machines want (`limit`: the key refusals are rate-limited by). */
const HIDDEN = new Set(['level', 'time', 'msg', 'component', 'app', 'pid', 'hostname', 'limit']);

/** Continuation lines of a multi-line message start under the message: after `HH:MM:SS LVL `. */
const INDENT = ' '.repeat(13);

export interface TextFormatOptions {
  /** ANSI colours (a terminal without NO_COLOR). */
  color: boolean;
}

/** One readable line (ending in "\n") for a log object; never throws, whatever the fields hold. */
export function formatLogLine(o: Record<string, unknown>, opts: TextFormatOptions): string {
  const level = levelName(o.level);
  const component = typeof o.component === 'string' && o.component !== '' ? o.component : undefined;
  let msg = typeof o.msg === 'string' ? o.msg : o.msg === undefined ? '' : String(o.msg);
  // "RTSP DESCRIBE ... refused" under [RTSP]: the component is said once.
  if (component && msg.startsWith(`${component} `)) msg = msg.slice(component.length + 1);
  const lines = msg.split(/\r?\n/).map(clean);
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const fields = formatFields(o, msg, opts.color);
  const c = (code: string, s: string): string => (opts.color ? `${code}${s}${RESET}` : s);
  let out = `${c(DIM, clock(o.time))} ${c(LEVEL_COLOURS[level] ?? '', level)} `;
  if (component) out += `${c(BOLD, `[${component}]`)} `;
  out += lines[0] ?? '';
  if (fields !== '') out += (lines[0] ? ' ' : '') + fields;
  for (const l of lines.slice(1)) out += `\n${INDENT}${l}`;
  return `${out}\n`;
}

function levelName(level: unknown): string {
  if (typeof level === 'number') return LEVELS[level] ?? (level < 20 ? 'TRC' : level >= 60 ? 'FTL' : 'INF');
  if (typeof level === 'string') return level.slice(0, 3).toUpperCase();
  return 'INF';
}

/** HH:MM:SS in local time; the current time when the line has none. */
function clock(time: unknown): string {
  const d = new Date(typeof time === 'number' || typeof time === 'string' ? time : Date.now());
  const t = Number.isNaN(d.getTime()) ? new Date() : d;
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}`;
}

/** `key=value` for every field the message does not already say. */
function formatFields(o: Record<string, unknown>, msg: string, color: boolean): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    // Empty values say nothing on a terminal (JSON lines keep them).
    if (HIDDEN.has(k) || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    if (saidBy(msg, v)) continue;
    const key = clean(k);
    parts.push(`${color ? `${DIM}${key}=${RESET}` : `${key}=`}${formatValue(v)}`);
  }
  return parts.join(' ');
}

/**
 * True when the message already names this value: a string of 3+ characters in it (a client
 * address, a path), or a number of 3+ digits standing alone (a status, a port).
 */
function saidBy(msg: string, v: unknown): boolean {
  if (typeof v === 'string') return v.length >= 3 && msg.includes(v);
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) >= 100) {
    return new RegExp(`(?<![\\d.:])${v}(?![\\d.:]?\\d)`).test(msg);
  }
  return false;
}

/** A compact value: errors as their message, lists comma-separated, objects as JSON; quoted when they hold spaces. */
export function formatValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Error) return quote(v.message);
  if (isSerializedError(v)) return quote(v.message);
  if (Array.isArray(v) && v.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x))) {
    return quote(v.map((x) => String(x)).join(','));
  }
  let json: string;
  try {
    json = JSON.stringify(v) ?? String(v);
  } catch {
    json = String(v);
  }
  // JSON's own quotes delimit it: quoted again only when it holds spaces.
  return /[\s\u0000-\u001f\u007f-\u009f]/.test(json) ? quote(json) : json;
}

/** pino's err serializer gives {type, message, stack}. */
function isSerializedError(v: unknown): v is { message: string } {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return typeof e.message === 'string' && (typeof e.stack === 'string' || typeof e.type === 'string');
}

/** As is when it is one plain word; else in double quotes with JSON escapes. */
function quote(s: string): string {
  if (s !== '' && !/[\s"=\\\u0000-\u001f\u007f-\u009f]/.test(s)) return s;
  return clean(JSON.stringify(s));
}

/** Control characters (a client's user name may hold terminal escapes) written as \uXXXX, never raw. */
function clean(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\t/g, '  ');
}
