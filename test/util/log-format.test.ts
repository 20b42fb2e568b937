// The readable log line: levels, component, fields, quoting, errors, multi-line messages, colours only on a terminal; and the logger choosing text or JSON.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatLogLine, formatValue } from '../../server/util/log-format.js';
import { colourWanted, componentLogs, createLogger, resolveLogFormat } from '../../server/log.js';
import { fuzz } from '../helpers/fuzz.js';

/** 12:03:04 local time today. */
const T = new Date(2026, 0, 5, 12, 3, 4).getTime();
const plain = (o: Record<string, unknown>): string => formatLogLine({ time: T, app: 'tidecast', ...o }, { color: false });

describe('formatLogLine', () => {
  it.each([
    [10, 'TRC'],
    [20, 'DBG'],
    [30, 'INF'],
    [40, 'WRN'],
    [50, 'ERR'],
    [60, 'FTL'],
  ])('level %i is %s', (level, name) => {
    expect(plain({ level, component: 'RTSP', msg: 'x' })).toBe(`12:03:04 ${name} [RTSP] x\n`);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['the example line', { level: 30, component: 'RTSP', msg: '127.0.0.1:51234 alice PLAY /cams/door: started (udp)' }, '12:03:04 INF [RTSP] 127.0.0.1:51234 alice PLAY /cams/door: started (udp)'],
    ['no component', { level: 30, msg: 'hello' }, '12:03:04 INF hello'],
    ['fields as key=value', { level: 30, component: 'HLS', msg: 'HLS muxer started', muxer: 'a1b2', parts: 3, ll: true }, '12:03:04 INF [HLS] muxer started muxer=a1b2 parts=3 ll=true'],
    ['a value with spaces is quoted', { level: 40, component: 'AUTH', msg: 'failed login', why: 'wrong password' }, '12:03:04 WRN [AUTH] failed login why="wrong password"'],
    ['quotes and = inside are escaped', { level: 30, msg: 'm', v: 'a"b', w: 'k=v' }, '12:03:04 INF m v="a\\"b" w="k=v"'],
    ['empty strings and lists are left out of the text', { level: 30, msg: 'm', v: '', l: [], n: 0 }, '12:03:04 INF m n=0'],
    ['lists are comma-separated', { level: 30, msg: 'announced', tracks: ['H264', 'AAC'] }, '12:03:04 INF announced tracks=H264,AAC'],
    ['objects are compact JSON', { level: 30, msg: 'closed', stats: { rtp: 10, bytes: 2000 } }, '12:03:04 INF closed stats={"rtp":10,"bytes":2000}'],
    ['an object with spaces is quoted JSON', { level: 30, msg: 'm', o: { why: 'a b' } }, '12:03:04 INF m o="{\\"why\\":\\"a b\\"}"'],
    ['null and undefined', { level: 30, msg: 'm', a: null, b: undefined }, '12:03:04 INF m a=null'],
    ['fields the message names are left out', { level: 40, component: 'RTSP', msg: 'RTSP DESCRIBE /missing refused with 404 for 127.0.0.1:5000: no stream at /missing', client: '127.0.0.1:5000', peer: '127.0.0.1', path: '/missing', method: 'DESCRIBE', status: 404, reason: 'no stream at /missing', limit: 'RTSP 404', conn: 7 }, '12:03:04 WRN [RTSP] DESCRIBE /missing refused with 404 for 127.0.0.1:5000: no stream at /missing conn=7'],
    ['a small number is never taken as said by an address', { level: 30, msg: 'from 127.0.0.1:5000', readers: 1, port: 500 }, '12:03:04 INF from 127.0.0.1:5000 readers=1 port=500'],
    ['a pino error is its message', { level: 50, component: 'RTSP', msg: 'request failed', err: { type: 'Error', message: 'boom: it broke', stack: 'Error: boom\n    at x' } }, '12:03:04 ERR [RTSP] request failed err="boom: it broke"'],
    ['an Error object is its message', { level: 50, msg: 'failed', err: new Error('bad') }, '12:03:04 ERR failed err=bad'],
    ['a multi-line message continues indented, fields on the first line', { level: 40, component: 'CONF', msg: 'config refused:\n  paths.x: bad\n  logLevel: bad\n', file: 'a.yml' }, '12:03:04 WRN [CONF] config refused: file=a.yml\n               paths.x: bad\n               logLevel: bad'],
    ['a multi-line field value stays on the line', { level: 30, msg: 'm', v: 'a\nb' }, '12:03:04 INF m v="a\\nb"'],
    ['terminal escapes from a client never reach the terminal', { level: 40, msg: 'failed login \u001b[2J', user: 'x\u001b]0;pwned\u0007' }, '12:03:04 WRN failed login \\u001b[2J user="x\\u001b]0;pwned\\u0007"'],
    ['a C1 control is escaped too', { level: 30, msg: 'm', user: 'a\u009bb' }, '12:03:04 INF m user="a\\u009bb"'],
    ['no message, fields only', { level: 30, msg: '', a: 1 }, '12:03:04 INF a=1'],
  ])('%s', (_name, o, line) => {
    expect(plain(o)).toBe(`${line}\n`);
  });

  it('colours the time, level, component and keys only when asked', () => {
    const o = { time: T, level: 40, component: 'RTSP', msg: 'slow reader', queued: 5 };
    const coloured = formatLogLine(o, { color: true });
    expect(coloured).toContain('\u001b[33mWRN\u001b[0m');
    expect(coloured).toContain('\u001b[1m[RTSP]\u001b[0m');
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(formatLogLine(o, { color: false }));
    expect(formatLogLine(o, { color: false })).not.toContain('\u001b');
  });

  it('formatValue: a value is never split by spaces or newlines', () => {
    fuzz('log-format value', 1401, 300, fc.property(fc.anything(), (v) => {
      const s = formatValue(v);
      expect(s).not.toMatch(/[\n\r\u001b\u009b]/);
      if (/\s/.test(s)) expect(s).toMatch(/^".*"$/);
    }));
  });

  it('formatLogLine never throws and writes one line per message line', () => {
    fuzz('log-format line', 1402, 300, fc.property(fc.dictionary(fc.string(), fc.anything()), fc.string(), (fields, msg) => {
      const out = formatLogLine({ ...fields, level: 30, msg }, { color: false });
      expect(out.endsWith('\n')).toBe(true);
      expect(out).not.toMatch(/[\u001b\u009b]/);
      expect(out.split('\n').length - 1).toBeLessThanOrEqual(Math.max(1, msg.split(/\r?\n/).length));
    }));
  });
});

describe('createLogger', () => {
  const capture = (isTTY: boolean, format: 'auto' | 'text' | 'json' = 'auto') => {
    const lines: string[] = [];
    const log = createLogger('debug', format, { isTTY, write: (l: string) => lines.push(l) });
    return { log, lines };
  };

  it('auto: text on a terminal, JSON lines elsewhere', () => {
    expect(resolveLogFormat('auto', true)).toBe('text');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('text', false)).toBe('text');
  });

  it('a terminal gets readable lines with the component', () => {
    const { log, lines } = capture(true);
    componentLogs(log).RTSP.info({ client: '10.0.0.2:4000', session: 'ab' }, '10.0.0.2:4000 PLAY /door: started');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.replace(/\u001b\[[0-9;]*m/g, '')).toMatch(/^\d\d:\d\d:\d\d INF \[RTSP\] 10\.0\.0\.2:4000 PLAY \/door: started session=ab\n$/);
  });

  it('a pipe gets JSON with level, time, msg and component', () => {
    const { log, lines } = capture(false);
    componentLogs(log).HLS.warn({ path: 'x' }, 'muxer failed');
    const o = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(o).toMatchObject({ level: 40, msg: 'muxer failed', component: 'HLS', path: 'x', app: 'tidecast' });
    expect(typeof o.time).toBe('number');
  });

  it('--log-format json on a terminal, text on a pipe (uncoloured)', () => {
    const j = capture(true, 'json');
    j.log.info('x');
    expect(() => JSON.parse(j.lines[0]!)).not.toThrow();
    const t = capture(false, 'text');
    t.log.info('hello');
    expect(t.lines[0]).toMatch(/^\d\d:\d\d:\d\d INF hello\n$/);
  });

  it('NO_COLOR turns colours off; no terminal, no colours', () => {
    expect(colourWanted(true, {})).toBe(true);
    expect(colourWanted(true, { NO_COLOR: '1' })).toBe(false);
    expect(colourWanted(true, { NO_COLOR: '' })).toBe(true);
    expect(colourWanted(false, {})).toBe(false);
  });
});
