// Edge processes of --workers: ports + k beside the origin's, 0 kept 0, one ~regex path pulling from the origin, clashes refused.
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../server/config.js';
import { edgeOverrides, edgeSpecs, portClash } from '../../server/workers/edge-config.js';

const bound = (rtspPort: number, httpPort: number) => ({ rtspPort, httpPort, rtspsPort: undefined, httpsPort: undefined });

describe('edge ports and config', () => {
  it('edge k listens on the origin ports + k, RTP + 2k, and pulls every path from the origin', () => {
    const config = makeConfig({ rtspPort: 8554, httpPort: 8888, rtpPort: 8000 });
    const specs = edgeSpecs(3, config, bound(8554, 8888));
    expect(specs.map((s) => [s.index, s.rtspPort, s.httpPort, s.rtpPort])).toEqual([[1, 8555, 8889, 8002], [2, 8556, 8890, 8004]]);
    expect(specs[0]!.origin).toBe('rtsp://127.0.0.1:8554');
    expect(portClash(specs, config, bound(8554, 8888))).toBeUndefined();
    const edge = makeConfig(edgeOverrides(specs[0]!));
    expect(Object.keys(edge.paths)).toEqual(['~^(.+)$']);
    expect(edge.paths['~^(.+)$']!.source).toBe('rtsp://127.0.0.1:8554/$G1');
    expect(edge.record).toBe(false);
  });

  it('a port configured 0 stays 0 (each edge binds a free one)', () => {
    const config = makeConfig({ rtspPort: 0, httpPort: 0, rtpPort: 9000 });
    expect(edgeSpecs(2, config, bound(41000, 42000)).map((s) => [s.rtspPort, s.httpPort])).toEqual([[0, 0]]);
  });

  it('refuses edges whose ports land on the origin\'s', () => {
    const config = makeConfig({ rtspPort: 8554, httpPort: 8555, rtpPort: 8000 });
    expect(portClash(edgeSpecs(2, config, bound(8554, 8555)), config, bound(8554, 8555))).toMatch(/edge 1 RTSP would use port 8555, which is the origin HTTP's/);
  });
});
