// ffmpeg's error lines become a path's `problem` (API, 503s) without the credentials of the URLs they name.
import { describe, expect, it } from 'vitest';
import { hideUserinfo } from '../../../server/sources/process/ffmpeg-source.js';

describe('ffmpeg lines without credentials', () => {
  it.each([
    ['rtsp://tidecast-source:Ab_c-1@127.0.0.1:8554/clock: Server returned 401 Unauthorized', 'rtsp://127.0.0.1:8554/clock: Server returned 401 Unauthorized'],
    ['Input #0, rtsp, from rtsps://admin:p%40ss@cam.local/stream1:', 'Input #0, rtsp, from rtsps://cam.local/stream1:'],
    ['http://a:b@x/y and RTSP://u@h/p', 'http://x/y and RTSP://h/p'],
    ['rtsp://127.0.0.1:8554/clock: Connection refused', 'rtsp://127.0.0.1:8554/clock: Connection refused'],
    ['mail alice@example.com', 'mail alice@example.com'],
  ])('%s', (line, shown) => {
    expect(hideUserinfo(line)).toBe(shown);
  });
});
