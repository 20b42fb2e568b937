// The SDP a path is described with outside RTSP (GET /<path>.sdp): absolute rtsp:// controls, or the plain multicast SDP of a multicast path.
import type { Config } from '../config.js';
import type { PathManager } from '../core/path-manager.js';
import { describedAacTrack } from '../sdp/aac-config.js';
import { buildSdp } from '../sdp/describe.js';
import { buildMulticastSdp, pathSessionId } from '../sdp/multicast-sdp.js';
import type { MulticastPaths } from './multicast-paths.js';

export interface DescriptionPorts {
  rtspPort: number;
  rtspsPort: number | undefined;
}

/** `rtsp://host:port/path` (rtsps:// when plain RTSP is refused): the URL a player should open for `path`. */
export function rtspUrlFor(config: Config, ports: DescriptionPorts, host: string, path: string): string {
  const secure = config.rtspEncryption === 'strict' && ports.rtspsPort !== undefined;
  const h = config.publicHost ?? host;
  const name = h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return `${secure ? 'rtsps' : 'rtsp'}://${name}:${secure ? ports.rtspsPort : ports.rtspPort}/${encoded}`;
}

export function httpDescriptions(config: Config, paths: PathManager, multicast: MulticastPaths, origin: string, ports: () => DescriptionPorts) {
  return {
    async describe(path: string, host: string): Promise<{ sdp: string; multicast: boolean }> {
      const url = rtspUrlFor(config, ports(), host, path);
      const m = multicast.get(path);
      if (m) {
        const sdp = buildMulticastSdp({ tracks: m.tracks, groups: m.groups, rtpPort: m.rtpPort, ttl: m.ttl, sessionName: path, origin, sessionId: pathSessionId(path), sessionVersion: m.version, rtspUrl: url });
        return { sdp, multicast: true };
      }
      const r = await paths.resolve(path);
      const tracks = (r.kind === 'file' ? r.file.tracks : r.stream.tracks).map(describedAacTrack);
      const sdp = buildSdp({
        tracks,
        sessionName: path,
        serverAddress: origin,
        ...(r.kind === 'file' ? { duration: r.file.duration } : {}),
        sessionId: pathSessionId(path),
        controlUrl: url,
      });
      return { sdp, multicast: false };
    },
  };
}
