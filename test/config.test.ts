// Config: defaults, YAML file, flags over file, and readable errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, makeConfig } from '../server/config.js';

const dir = mkdtempSync(join(tmpdir(), 'tidecast-config-'));

describe('config', () => {
  it('has the documented defaults', () => {
    const c = makeConfig();
    expect(c.rtspPort).toBeUndefined();
    expect([c.httpPort, c.rtpPort, c.mediaDir, c.mtu, c.sessionTimeout]).toEqual([8888, 8000, './media', 1400, 60]);
  });

  it('has the limits and timeouts README documents, and refuses unusable ones', () => {
    const c = makeConfig();
    expect({
      maxConnections: c.maxConnections,
      maxConnectionsPerAddress: c.maxConnectionsPerAddress,
      maxSessions: c.maxSessions,
      maxSessionsPerConnection: c.maxSessionsPerConnection,
      maxSessionsPerAddress: c.maxSessionsPerAddress,
      readTimeout: c.readTimeout,
      idleTimeout: c.idleTimeout,
      setupTimeout: c.setupTimeout,
      maxAnnouncedPaths: c.maxAnnouncedPaths,
      maxConcurrentDemuxes: c.maxConcurrentDemuxes,
    }).toEqual({
      maxConnections: 4000,
      maxConnectionsPerAddress: 200,
      maxSessions: 2000,
      maxSessionsPerConnection: 16,
      maxSessionsPerAddress: 200,
      readTimeout: 10,
      idleTimeout: 60,
      setupTimeout: 30,
      maxAnnouncedPaths: 1000,
      maxConcurrentDemuxes: 4,
    });
    expect(() => makeConfig({ readTimeout: 0, maxConnectionsPerAddress: 0, maxConcurrentDemuxes: 1.5 })).toThrow(/maxConnectionsPerAddress: .*\n {2}readTimeout: .*\n {2}maxConcurrentDemuxes: /s);
  });

  it('reads YAML and lets flags win', () => {
    const f = join(dir, 'a.yml');
    writeFileSync(f, 'rtspPort: 9554\nrtpPort: 9000\nmediaDir: /srv/media\n');
    const c = loadConfig(f, { rtpPort: 9100, rtspPort: undefined });
    expect([c.rtspPort, c.rtpPort, c.mediaDir]).toEqual([9554, 9100, '/srv/media']);
  });

  it('explains each problem on its own line', () => {
    const f = join(dir, 'b.yml');
    writeFileSync(f, 'rtpPort: 8001\nmtu: 10\nbogus: 1\n');
    expect(() => loadConfig(f)).toThrow(/b\.yml: invalid configuration:\n {2}rtpPort: rtpPort must be even.*\n {2}mtu: .*\n {2}\(top level\): .*bogus/s);
  });

  it('reports unreadable and non-YAML files', () => {
    expect(() => loadConfig(join(dir, 'missing.yml'))).toThrow(/cannot read config file/);
    const f = join(dir, 'c.yml');
    writeFileSync(f, 'a: [1, 2\n');
    expect(() => loadConfig(f)).toThrow(/not valid YAML/);
  });

  describe('paths', () => {
    it('reads relays, ffmpeg sources, redirects and publisher paths from YAML, with defaults', () => {
      const f = join(dir, 'paths.yml');
      writeFileSync(
        f,
        [
          'paths:',
          '  cams/door:',
          '    source: rtsp://user:pa%40ss@10.0.0.5:554/stream1',
          '    sourceOnDemand: false',
          '    sourceProtocol: udp',
          '  clip:',
          '    ffmpeg: -re -stream_loop -1 -i "/srv/my clip.mp4" -c copy',
          '    sourceOnDemandCloseAfter: 2.5',
          '  old:',
          '    redirect: rtsps://example.com/new',
          '  studio:',
          '',
        ].join('\n'),
      );
      const c = loadConfig(f);
      expect(c.paths['cams/door']).toMatchObject({ source: 'rtsp://user:pa%40ss@10.0.0.5:554/stream1', sourceOnDemand: false, sourceProtocol: 'udp', sourceOnDemandCloseAfter: 10, sourceOnDemandStartTimeout: 10 });
      expect(c.paths.clip).toMatchObject({ ffmpeg: '-re -stream_loop -1 -i "/srv/my clip.mp4" -c copy', sourceOnDemand: true, sourceOnDemandCloseAfter: 2.5, sourceProtocol: 'tcp' });
      expect(c.paths.old!.redirect).toBe('rtsps://example.com/new');
      // A bare `studio:` is a publisher path with the defaults.
      expect(c.paths.studio).toMatchObject({ sourceOnDemand: true });
      expect(makeConfig().paths).toEqual({});
      expect(makeConfig({ paths: { p: { source: 'publisher', overridePublisher: true } } }).paths.p!.overridePublisher).toBe(true);
    });

    const bad: [string, unknown, RegExp][] = [
      ['two feeds', { a: { source: 'rtsp://h/x', ffmpeg: '-i x' } }, /paths\.a: set only one of source \(relay URL\), ffmpeg/],
      ['relay and redirect', { a: { source: 'rtsp://h/x', redirect: 'rtsp://h/y' } }, /paths\.a: set only one of source \(relay URL\), redirect/],
      ['publisher and redirect', { a: { source: 'publisher', redirect: 'rtsp://h/y' } }, /paths\.a: a redirect path has no publisher/],
      ['http source', { a: { source: 'http://cam/x' } }, /paths\.a\.source: must be "publisher" or an rtsp:\/\/ or rtsps:\/\/ URL/],
      ['redirect without host', { a: { redirect: 'rtsp:///x' } }, /paths\.a\.redirect: must be an rtsp:\/\/ or rtsps:\/\/ URL with a host/],
      ['ffmpeg without input', { a: { ffmpeg: '-c copy' } }, /paths\.a\.ffmpeg: needs an input/],
      ['ffmpeg bad quoting', { a: { ffmpeg: '-i "x.mp4' } }, /paths\.a\.ffmpeg: unterminated double quote/],
      ['dot-dot', { '../etc': {} }, /paths\["\.\.\/etc"\]: bad path name: path segments "\." and "\.\." are not allowed/],
      ['inner dot-dot', { 'a/../b': {} }, /paths\["a\/\.\.\/b"\]: bad path name/],
      ['leading slash', { '/cam': {} }, /without a leading or trailing "\/"/],
      ['space', { 'my cam': {} }, /cannot contain spaces/],
      ['unknown key', { a: { sorce: 'rtsp://h/x' } }, /paths\.a: Unrecognized key: "sorce"/],
      ['bad protocol', { a: { source: 'rtsp://h/x', sourceProtocol: 'http' } }, /paths\.a\.sourceProtocol/],
      ['negative close-after', { a: { sourceOnDemandCloseAfter: -1 } }, /paths\.a\.sourceOnDemandCloseAfter/],
    ];
    for (const [name, paths, re] of bad) {
      it(`refuses ${name} with a readable line`, () => {
        expect(() => makeConfig({ paths } as never)).toThrow(re);
      });
    }
  });
});
