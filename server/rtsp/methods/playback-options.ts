// The options of a reader's own file playback cursor (MTU, RTCP interval, CNAME, clocks), the same for files and recordings.
import type { PlaybackOptions } from '../../core/playback.js';
import type { ServerContext } from '../context.js';

export function playbackOptions(server: ServerContext, localAddress: string): PlaybackOptions {
  return {
    mtu: server.config.mtu,
    rtcpIntervalMs: server.config.rtcpInterval * 1000,
    cname: `tidecast@${localAddress}`,
    now: () => performance.now(),
    wall: () => Date.now(),
  };
}
