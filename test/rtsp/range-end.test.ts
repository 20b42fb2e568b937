import { describe, expect, it } from 'vitest';
import { endStopsEos } from '../../server/rtsp/methods/range-end.js';

describe('endStopsEos: clients told no file end', () => {
  it.each([
    ['GStreamer/1.22.0', true],
    ['GStreamer/1.24.2', true],
    ['gstreamer/1.20', true],
    ['LibVLC/3.0.20 (LIVE555 Streaming Media v2016.11.28)', false],
    ['Lavf61.7.100', false],
    ['NotGStreamer/1.0', false],
    [undefined, false],
  ])('%s -> %s', (ua, expected) => {
    expect(endStopsEos(ua)).toBe(expected);
  });
});
