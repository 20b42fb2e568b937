// OnDemandSource: the first reader starts the source, readers wait for its stream, idle sources stop, failures say why.
// On a simulated clock (vitest fake timers for the timers and performance.now()): the delays are exact.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LivePath } from '../../server/core/live-path.js';
import type { Track } from '../../server/media/track.js';
import { OnDemandSource, SourceUnavailableError, type SourceDriver } from '../../server/core/on-demand.js';
import type { StreamReader } from '../../server/core/stream.js';

const TRACKS: Track[] = [{ id: 0, kind: 'audio', codec: 'PCMU', clockRate: 8000, payloadType: 0 }];

class FakeDriver implements SourceDriver {
  readonly description = 'fake';
  problem: string | undefined;
  starts = 0;
  stops: string[] = [];
  constructor(
    private readonly path: LivePath,
    private readonly works = true,
  ) {}
  start(): void {
    this.starts++;
    if (!this.works) {
      this.problem = 'upstream refused: 404';
      return;
    }
    setTimeout(() => {
      this.path.claim({ sessionId: 'x', address: 'fake', since: new Date() }, true, true);
      this.path.start(TRACKS);
    }, 20);
  }
  async stop(reason: string): Promise<void> {
    this.stops.push(reason);
  }
}

const reader = (): StreamReader => ({ deliver() {}, deliverRtcp() {}, end() {} });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Resolves `p` while simulated time advances by `ms` (the fake driver starts its stream 20 ms after start()). */
async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  await vi.advanceTimersByTimeAsync(ms);
  return p;
}

describe('OnDemandSource', () => {
  it('starts on the first acquire, shares the stream, and stops after the close-after delay with no reader', async () => {
    const path = new LivePath('p', { gopCacheBytes: 1 << 20 });
    const d = new FakeDriver(path);
    const src = new OnDemandSource(path, d, { onDemand: true, closeAfterMs: 300, startTimeoutMs: 1000 });
    const [a, b] = await within(20, Promise.all([src.acquire(), src.acquire()]));
    expect(a).toBe(b);
    expect(d.starts).toBe(1);
    const r = reader();
    a.attach(r);
    await vi.advanceTimersByTimeAsync(600);
    expect(src.isRunning).toBe(true); // a reader keeps it running
    a.detach(r);
    await vi.advanceTimersByTimeAsync(299);
    expect(src.isRunning).toBe(true); // not before the delay
    // The idle check runs every 100 ms (a quarter of the delay, at least 100 ms): the first one past the delay stops it.
    await vi.advanceTimersByTimeAsync(101);
    expect(src.isRunning).toBe(false);
    expect(d.stops).toEqual(['no reader for 0.3 s']);
    expect(a.ended).toBe(true);
    expect(path.stream).toBeUndefined();
    // The next reader starts it again.
    await within(20, src.acquire());
    expect(d.starts).toBe(2);
    await src.stop('test over');
  });

  it('fails a reader with the source problem when the stream does not come in time', async () => {
    const path = new LivePath('q', { gopCacheBytes: 1 << 20 });
    const src = new OnDemandSource(path, new FakeDriver(path, false), { onDemand: true, closeAfterMs: 1000, startTimeoutMs: 100 });
    let settled = false;
    const failed = src.acquire().catch((e: unknown) => e).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(99);
    expect(settled).toBe(false);
    const err = await within(1, failed);
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect((err as Error).message).toBe('/q (fake) did not start within 0.1 s: upstream refused: 404');
    await src.stop('test over');
  });

  it('never stops an always-on source for idleness', async () => {
    const path = new LivePath('r', { gopCacheBytes: 1 << 20 });
    const d = new FakeDriver(path);
    const src = new OnDemandSource(path, d, { onDemand: false, closeAfterMs: 50, startTimeoutMs: 1000 });
    await src.start();
    await vi.advanceTimersByTimeAsync(300);
    expect(src.isRunning).toBe(true);
    expect(path.stream).toBeDefined();
    await src.stop('test over');
    expect(d.stops).toEqual(['test over']);
  });
});
