// PathManager at reload: paths unconfigured (readers end, sources stop, the name is free), and ~regex patterns
// (a source instance per concrete path, forgotten once stopped; publisher and redirect patterns; config order).
// On a simulated clock (vitest fake timers): the delays are exact.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SourceUnavailableError, type SourceDriver } from '../../server/core/on-demand.js';
import { PathManager, PathNotFoundError, PathRedirectError, type PathPattern } from '../../server/core/path-manager.js';
import { MAX_PATTERN_INSTANCES } from '../../server/core/path-patterns.js';
import type { MediaFiles } from '../../server/core/seekable-media.js';
import type { StreamReader } from '../../server/core/stream.js';
import type { Track } from '../../server/media/track.js';

const TRACKS: Track[] = [{ id: 0, kind: 'audio', codec: 'PCMU', clockRate: 8000, payloadType: 0 }];
const NO_FILES = { stats: { demuxes: 0, failures: 0, remembered: 0 }, get: () => Promise.reject(new Error('no files here')), playback: () => { throw new Error('no files here'); } } as unknown as MediaFiles;

/** Publishes on its path 20 ms after start, as a relay would (claim as the server's own feed, then start). */
class TestDriver implements SourceDriver {
  readonly description: string;
  problem: string | undefined;
  starts = 0;
  stops: string[] = [];
  constructor(private readonly paths: PathManager, private readonly name: string, readonly upstream = '') {
    this.description = `test feed ${upstream}`;
  }
  start(): void {
    this.starts++;
    setTimeout(() => {
      this.paths.livePath(this.name).claim({ sessionId: `feed-${this.name}`, address: 'test', since: new Date() }, true, true);
      this.paths.livePath(this.name).start(TRACKS);
    }, 20);
  }
  async stop(reason: string): Promise<void> {
    this.stops.push(reason);
  }
}

const reader = (): StreamReader & { ended: string[] } => {
  const ended: string[] = [];
  return { ended, deliver() {}, deliverRtcp() {}, end: (why: string) => void ended.push(why) };
};

const OPTS = { onDemand: true, closeAfterMs: 300, startTimeoutMs: 1000 };
let paths: PathManager;
const made: TestDriver[] = [];

/** `~^cams/(.+)$` relaying rtsp://origin/<group>: each concrete path gets its own TestDriver. */
function relayPattern(re = /^cams\/(.+)$/): PathPattern {
  return {
    match: (p) => (re.test(p) ? { lockedBy: 'it relays' } : undefined),
    source: (p) => {
      const d = new TestDriver(paths, p, `rtsp://origin/${re.exec(p)![1]}`);
      made.push(d);
      return { driver: d, opts: OPTS };
    },
  };
}

async function resolveLive(path: string) {
  const r = paths.resolve(path);
  await vi.advanceTimersByTimeAsync(20);
  const res = await r;
  if (res.kind !== 'live') throw new Error('not live');
  return res.stream;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] });
  paths = new PathManager('/nonexistent-media', { files: NO_FILES, ingest: () => { throw new Error('unused'); } });
  made.length = 0;
});
afterEach(async () => {
  await paths.stopSources('test over');
  vi.useRealTimers();
});

describe('PathManager.unconfigure', () => {
  it('ends the readers, stops the source, and frees the name for a new configuration', async () => {
    paths.configure('cam', { lockedBy: 'it relays' });
    const d = new TestDriver(paths, 'cam');
    paths.addSource('cam', d, OPTS);
    const stream = await resolveLive('cam');
    const r = reader();
    stream.attach(r);
    await paths.unconfigure('cam', 'cam was removed from the config');
    expect(r.ended).toEqual(['cam was removed from the config']);
    expect(d.stops).toEqual(['cam was removed from the config']);
    expect(paths.sourceOf('cam')).toBeUndefined();
    expect(paths.hasLivePath('cam')).toBe(false);
    await expect(paths.resolve('cam')).rejects.toBeInstanceOf(PathNotFoundError);
    // Configured again (a changed path): a new source.
    paths.configure('cam', {});
    const d2 = new TestDriver(paths, 'cam');
    paths.addSource('cam', d2, OPTS);
    expect(await resolveLive('cam')).not.toBe(stream);
    expect(d2.starts).toBe(1);
  });

  it('takes over a name a client published to before the config named it: its readers end', async () => {
    paths.livePath('late').claim({ sessionId: 's1', address: 'x', since: new Date() }, false);
    const r = reader();
    paths.livePath('late').start(TRACKS).attach(r);
    paths.configure('late', { overridePublisher: true });
    expect(r.ended).toEqual(['the path is now configured']);
    expect(paths.livePath('late').settings.overridePublisher).toBe(true);
  });
});

describe('~regex patterns', () => {
  it('gives each concrete path one source however many readers, and forgets it once stopped', async () => {
    paths.configurePattern('~^cams/(.+)$', relayPattern());
    const [a, b] = await Promise.all([resolveLive('cams/door'), resolveLive('cams/door')]);
    expect(a).toBe(b);
    const c = await resolveLive('cams/yard');
    expect(c).not.toBe(a);
    expect(made.map((d) => [d.upstream, d.starts])).toEqual([['rtsp://origin/door', 1], ['rtsp://origin/yard', 1]]);
    expect(paths.livePaths().map((p) => p.name)).toEqual(['cams/door', 'cams/yard']);
    // Nobody reads: after closeAfter each stops and is forgotten.
    await vi.advanceTimersByTimeAsync(500);
    expect(made.map((d) => d.stops.length)).toEqual([1, 1]);
    expect(paths.livePaths()).toEqual([]);
    expect(paths.sourceOf('cams/door')).toBeUndefined();
    // The next reader makes a new one.
    await resolveLive('cams/door');
    expect(made).toHaveLength(3);
  });

  it('leaves paths it does not match alone, and an exact name wins over it', async () => {
    paths.configurePattern('~^cams/(.+)$', relayPattern());
    paths.configure('cams/fixed', { redirect: 'rtsp://elsewhere/x' });
    await expect(paths.resolve('other/door')).rejects.toBeInstanceOf(PathNotFoundError);
    await expect(paths.resolve('cams/fixed')).rejects.toBeInstanceOf(PathRedirectError);
    expect(made).toEqual([]);
  });

  it('locks its paths against publishers when it relays, and applies publisher rules without a source', () => {
    paths.configurePattern('~^cams/(.+)$', relayPattern());
    paths.configurePattern('~^pub/', { match: (p) => (p.startsWith('pub/') ? { overridePublisher: true } : undefined), source: () => undefined });
    expect(() => paths.livePath('cams/door').claim({ sessionId: 's', address: 'x', since: new Date() }, false)).toThrow(/cannot be published to: it relays/);
    expect(paths.livePath('pub/a').settings.overridePublisher).toBe(true);
  });

  it('redirects with its groups filled in', () => {
    paths.configurePattern('~^old/(.+)$', { match: (p) => (p.startsWith('old/') ? { redirect: `rtsp://new/${p.slice(4)}` } : undefined), source: () => undefined });
    expect(paths.redirectOf('old/cam')).toBe('rtsp://new/cam');
    expect(paths.redirectOf('new/cam')).toBeUndefined();
  });

  it('tries patterns in the config order', async () => {
    paths.configurePattern('~^cams/(.+)$', relayPattern());
    paths.configurePattern('~^(.+)$', relayPattern(/^(.+)$/));
    paths.orderPatterns(['~^(.+)$', '~^cams/(.+)$']);
    await resolveLive('cams/door');
    expect(made.map((d) => d.upstream)).toEqual(['rtsp://origin/cams/door']);
  });

  it('unconfigured: the paths made from it end and stop', async () => {
    paths.configurePattern('~^cams/(.+)$', relayPattern());
    const r = reader();
    (await resolveLive('cams/door')).attach(r);
    await paths.unconfigure('~^cams/(.+)$', 'pattern removed');
    expect(r.ended).toEqual(['pattern removed']);
    expect(made[0]!.stops).toEqual(['pattern removed']);
    await expect(paths.resolve('cams/door')).rejects.toBeInstanceOf(PathNotFoundError);
  });

  it(`makes at most ${MAX_PATTERN_INSTANCES} paths, then answers 503`, async () => {
    paths.configurePattern('~^(.+)$', relayPattern(/^(.+)$/));
    const all = Array.from({ length: MAX_PATTERN_INSTANCES }, (_, i) => paths.resolve(`p${i}`));
    await vi.advanceTimersByTimeAsync(20);
    await Promise.all(all);
    await expect(paths.resolve('one-more')).rejects.toBeInstanceOf(SourceUnavailableError);
  });
});
