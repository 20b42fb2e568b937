// The core of a drain: where each client goes, what waits and what is kicked, over the real client registry.
import { describe, expect, it } from 'vitest';
import { ClientRegistry, type ClientProtocol } from '../../server/core/clients.js';
import { DrainState, drainClients, relocate } from '../../server/core/drain.js';

describe('relocate', () => {
  it.each([
    ['rtsp://b:8554', 'cam', undefined, 'rtsp://b:8554/cam'],
    ['rtsp://b:8554/', 'live/cam', 'token=x', 'rtsp://b:8554/live/cam?token=x'],
    ['rtsp://b:8554/elsewhere', 'cam', undefined, 'rtsp://b:8554/elsewhere'],
    ['not a url', 'cam', undefined, 'not a url'],
  ])('relocate(%s, %s, %s) = %s', (base, path, query, want) => expect(relocate(base, path, query)).toBe(want));

  it('DrainState answers only while draining, HTTP only with an HTTP target', () => {
    const d = new DrainState();
    expect(d.rtspLocation('cam')).toBeUndefined();
    d.target = { location: 'rtsp://b:8554', graceMs: 0, since: 0 };
    expect(d.rtspLocation('cam')).toBe('rtsp://b:8554/cam');
    expect(d.rtspLocation('')).toBeUndefined();
    expect(d.httpLocation('/cam/index.m3u8')).toBeUndefined();
    d.target.httpLocation = 'http://b:8888/';
    expect(d.httpLocation('/cam/index.m3u8?a=1')).toBe('http://b:8888/cam/index.m3u8?a=1');
  });
});

describe('drainClients', () => {
  function client(reg: ClientRegistry, id: string, protocol: ClientProtocol, log: string[], redirectable: boolean): () => void {
    let remove = (): void => {};
    const rec = { id, role: 'reader' as const, protocol, path: 'cam', since: '', bytes: 0, bitrate: 0 };
    remove = reg.add(id, {
      snapshot: () => rec,
      kick: (why) => {
        log.push(`kick ${id}: ${why}`);
        remove();
      },
      ...(redirectable ? { redirect: (to: string) => (log.push(`redirect ${id} -> ${to}`), true) } : {}),
    });
    return remove;
  }

  it('redirects RTSP sessions, ends progressive readers, leaves HLS and relays, kicks who stays at the grace time', async () => {
    const reg = new ClientRegistry();
    const log: string[] = [];
    const leaves = client(reg, 'rtsp1', 'rtsp-tcp', log, true);
    client(reg, 'rtsp2', 'rtsp-udp', log, false);
    client(reg, 'http1', 'progressive-ts', log, false);
    client(reg, 'hls-1', 'hls', log, false);
    client(reg, 'relay-1', 'relay', log, false);
    const state = new DrainState();
    const done = drainClients(reg, state, { location: 'rtsp://b:8554', graceMs: 300 }, 10);
    expect(state.target?.location).toBe('rtsp://b:8554');
    leaves();
    const report = await done;
    expect(report).toMatchObject({ redirected: 1, unreachable: 1, tornDown: 1 });
    expect(log).toEqual([
      'redirect rtsp1 -> rtsp://b:8554/cam',
      expect.stringMatching(/^kick http1: the server is draining/),
      expect.stringMatching(/^kick rtsp2: the drain's grace time/),
    ]);
    expect(reg.list().map((r) => r.id).sort()).toEqual(['hls-1', 'relay-1']);
  });
});
