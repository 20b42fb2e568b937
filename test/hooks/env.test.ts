// The environment a hook gets, per kind of event: one table of cases.
import { describe, expect, it } from 'vitest';
import { hookEnv, type HookContext } from '../../server/hooks/env.js';

const ports = { rtspPort: 8554, httpPort: 8888 };
const source = { type: 'rtspSession', id: 'abc123', address: '10.0.0.5', port: 40000, query: 'token=x' };

describe('hookEnv', () => {
  const cases: [string, HookContext, Record<string, string>, string[]][] = [
    ['runOnInit: path and ports only', { path: 'cam1' }, { TIDECAST_PATH: 'cam1', TIDECAST_QUERY: '', RTSP_PORT: '8554', HTTP_PORT: '8888' }, ['TIDECAST_SOURCE_TYPE', 'TIDECAST_REMOTE_ADDR', 'TIDECAST_READER_ID', 'G1']],
    [
      'runOnReady: the publisher',
      { path: 'cams/door', source },
      { TIDECAST_PATH: 'cams/door', TIDECAST_QUERY: 'token=x', TIDECAST_SOURCE_TYPE: 'rtspSession', TIDECAST_SOURCE_ID: 'abc123', TIDECAST_REMOTE_ADDR: '10.0.0.5', TIDECAST_REMOTE_PORT: '40000' },
      ['TIDECAST_READER_TYPE'],
    ],
    [
      'runOnRead: the reader wins address, port and query; the source stays',
      { path: 'cam1', source, reader: { protocol: 'rtsps-tcp', id: 'r1', address: '10.0.0.9', port: 5000, query: 'viewer=7' } },
      { TIDECAST_QUERY: 'viewer=7', TIDECAST_REMOTE_ADDR: '10.0.0.9', TIDECAST_REMOTE_PORT: '5000', TIDECAST_READER_TYPE: 'rtspsSession', TIDECAST_READER_ID: 'r1', TIDECAST_SOURCE_TYPE: 'rtspSession' },
      [],
    ],
    ['an HLS reader without query', { path: 'cam1', reader: { protocol: 'hls', id: 'hls-1' } }, { TIDECAST_READER_TYPE: 'hlsMuxer', TIDECAST_QUERY: '' }, ['TIDECAST_REMOTE_ADDR', 'TIDECAST_SOURCE_TYPE']],
    ['regex groups G1..G9 (a tenth is dropped)', { path: 'x', groups: ['a', 'b', '', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] }, { G1: 'a', G2: 'b', G3: '', G9: 'i' }, ['G10', 'G0']],
    [
      'a recorded segment',
      { path: 'cam1', segment: { file: '/rec/cam1/1.mp4', start: new Date('2026-01-02T03:04:05.000Z'), duration: 60.0004 } },
      { TIDECAST_SEGMENT_PATH: '/rec/cam1/1.mp4', TIDECAST_SEGMENT_START: '2026-01-02T03:04:05.000Z', TIDECAST_SEGMENT_DURATION: '60' },
      [],
    ],
    ['runOnDemand: where to publish', { path: 'clip', publishUrl: 'rtsp://127.0.0.1:8554/clip' }, { TIDECAST_PUBLISH_URL: 'rtsp://127.0.0.1:8554/clip' }, ['TIDECAST_SOURCE_TYPE']],
  ];
  it.each(cases)('%s', (_name, ctx, has, absent) => {
    const env = hookEnv(ports, ctx);
    expect(env).toMatchObject(has);
    for (const k of absent) expect(env, k).not.toHaveProperty(k);
  });
});
