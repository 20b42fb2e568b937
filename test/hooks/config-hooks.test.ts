// The hook keys of a path: accepted with their defaults, refused where they make no sense.
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../server/config.js';

describe('hook config', () => {
  it('accepts every hook key on a path', () => {
    const c = makeConfig({
      paths: {
        cam: { runOnInit: 'a', runOnInitRestart: true, runOnReady: 'b', runOnReadyRestart: true, runOnNotReady: 'c', runOnRead: 'd', runOnReadRestart: false, runOnUnread: 'e', runOnRecordSegmentComplete: 'f' },
        clip: { runOnDemand: 'ffmpeg -i x -f rtsp "$TIDECAST_PUBLISH_URL"', runOnDemandRestart: true, sourceOnDemandCloseAfter: 2 },
      },
    });
    expect(c.paths.cam!.runOnReady).toBe('b');
    expect(c.paths.clip!.runOnDemandRestart).toBe(true);
  });

  it.each([
    [{ runOnDemand: 'x', ffmpeg: '-i y' }, 'set only one of runOnDemand, ffmpeg'],
    [{ runOnDemand: 'x', source: 'rtsp://cam/x' }, 'set only one of runOnDemand, source (relay URL)'],
    [{ runOnDemand: 'x', redirect: 'rtsp://other/x' }, 'set only one of runOnDemand, redirect'],
    [{ runOnReady: '   ' }, 'must be a shell command'],
    [{ runOnReadyRestart: 'yes' }, 'runOnReadyRestart'],
    [{ runOnSomething: 'x' }, 'runOnSomething'],
  ])('refuses %j', (path, message) => {
    expect(() => makeConfig({ paths: { cam: path as never } })).toThrow(message);
  });
});
