// Concurrent demuxes (maxConcurrentDemuxes): at most N run, a short queue waits in order, past it 503 with the reason; over RTSP, a burst of new files is served or refused in words, and nothing stays stuck.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceUnavailableError } from '../../../server/core/on-demand.js';
import { DemuxSlots } from '../../../server/sources/file/demux-slots.js';
import { RawRtspClient, bodyText } from '../../helpers/rtsp-client.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../../helpers/server.js';

/** A piece of work the test finishes by hand. */
function gate(): { work: () => Promise<string>; open: (v: string) => void; started: () => boolean } {
  let resolve!: (v: string) => void;
  let started = false;
  const p = new Promise<string>((r) => (resolve = r));
  return {
    work: () => {
      started = true;
      return p;
    },
    open: (v) => resolve(v),
    started: () => started,
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('DemuxSlots', () => {
  it('runs at most max at once, queues up to queueMax in order, refuses past that with 503 words', async () => {
    const slots = new DemuxSlots(2, 2);
    const gates = Array.from({ length: 5 }, gate);
    const runs = gates.slice(0, 4).map((g) => slots.run(g.work));
    await tick();
    expect(gates.map((g) => g.started())).toEqual([true, true, false, false, false]);
    expect([slots.active, slots.queued]).toEqual([2, 2]);
    const refused = slots.run(gates[4]!.work);
    await expect(refused).rejects.toBeInstanceOf(SourceUnavailableError);
    await expect(refused).rejects.toThrow(/2 media files are being read already and 2 wait \(maxConcurrentDemuxes\)/);
    gates[1]!.open('b');
    expect(await runs[1]).toBe('b');
    await tick();
    // The freed slot went to the first in the queue.
    expect(gates.map((g) => g.started())).toEqual([true, true, true, false, false]);
    gates[0]!.open('a');
    gates[2]!.open('c');
    await tick();
    expect(gates[3]!.started()).toBe(true);
    gates[3]!.open('d');
    expect(await Promise.all(runs)).toEqual(['a', 'b', 'c', 'd']);
    expect([slots.active, slots.queued]).toEqual([0, 0]);
  });

  it('frees the slot when the work fails', async () => {
    const slots = new DemuxSlots(1, 0);
    await expect(slots.run(() => Promise.reject(new Error('broken file')))).rejects.toThrow('broken file');
    expect(slots.active).toBe(0);
    expect(await slots.run(async () => 'next')).toBe('next');
  });
});

describe('a burst of new files over RTSP with maxConcurrentDemuxes: 1', () => {
  let dir: string;
  let srv: TestServer;
  const N = 16;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidecast-demux-slots-'));
    for (let i = 0; i < N; i++) copyFileSync(join(MEDIA_DIR, 'sample.mp4'), join(dir, `copy-${i}.mp4`));
    srv = await startTestServer({ mediaDir: dir, maxConcurrentDemuxes: 1 });
  });
  afterAll(async () => {
    await srv?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('each DESCRIBE is answered 200 or 503 naming the limit, and every file plays afterwards', async () => {
    const clients = await Promise.all(Array.from({ length: N }, () => RawRtspClient.open(srv.rtspPort)));
    try {
      const answers = await Promise.all(clients.map((c, i) => c.request('DESCRIBE', srv.url(`copy-${i}.mp4`), { Accept: 'application/sdp' })));
      for (const a of answers) {
        if (a.status === 503) expect(bodyText(a)).toMatch(/\(maxConcurrentDemuxes\); try again in a moment/);
        else expect(a.status).toBe(200);
      }
      // Nothing was left holding a slot: one at a time, every file is served.
      for (let i = 0; i < N; i++) expect((await clients[i]!.request('DESCRIBE', srv.url(`copy-${i}.mp4`))).status).toBe(200);
    } finally {
      for (const c of clients) c.close();
    }
  }, 60_000);
});
