// The refusal log: one line per address, limit and minute (the next one counts those left out), and a bounded table of addresses.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { NoticeLog } from '../../server/limits/notice-log.js';
import type { Logger } from '../../server/log.js';

function logger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino<never>({ level: 'info' }, out), lines };
}

describe('NoticeLog', () => {
  it('logs an address once a minute per limit, then says how many were left out', async () => {
    const { log, lines } = logger();
    let now = 0;
    const n = new NoticeLog(log, () => now);
    for (let i = 0; i < 1000; i++) n.warn('10.0.0.1', 'RTSP connections', { i }, 'refused');
    n.warn('10.0.0.1', 'sessions per connection', {}, 'refused a session');
    n.warn('10.0.0.2', 'RTSP connections', {}, 'refused');
    now = 59_999;
    n.warn('10.0.0.1', 'RTSP connections', {}, 'refused');
    now = 60_000;
    n.warn('10.0.0.1', 'RTSP connections', {}, 'refused');
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.peer, l.limit, l.msg, l.notLoggedInTheLastMinute])).toEqual([
      ['10.0.0.1', 'RTSP connections', 'refused', undefined],
      ['10.0.0.1', 'sessions per connection', 'refused a session', undefined],
      ['10.0.0.2', 'RTSP connections', 'refused', undefined],
      ['10.0.0.1', 'RTSP connections', 'refused', 1000],
    ]);
    expect(lines[0]!.level).toBe(40);
  });

  it('holds at most 4096 addresses however many refuse', () => {
    const { log } = logger();
    let now = 0;
    const n = new NoticeLog(log, () => now);
    for (let i = 0; i < 20_000; i++) {
      now = i; // all within one minute: the oldest go first
      n.warn(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 'HTTP connections', {}, 'refused');
      expect(n.size).toBeLessThanOrEqual(4096);
    }
    expect(n.size).toBe(4096);
  });
});
