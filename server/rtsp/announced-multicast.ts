// Wires the multicast paths, their SAP announcements and the HTTP descriptions of a running RTSP server (app.ts calls it).
import type { Config } from '../config.js';
import type { PathManager } from '../core/path-manager.js';
import type { Logger } from '../log.js';
import { httpDescriptions, rtspUrlFor, type DescriptionPorts } from './http-descriptions.js';
import type { MulticastHub } from './multicast-sender.js';
import { MulticastPaths } from './multicast-paths.js';
import { announceOrigin, SapAnnouncer } from './sap-announcer.js';

export interface AnnouncedMulticast {
  paths: MulticastPaths;
  sap: SapAnnouncer;
  descriptions: ReturnType<typeof httpDescriptions>;
  /** Server shutdown, before the RTSP server closes: deletions out, senders released. */
  close(): Promise<void>;
}

export function announcedMulticast(config: Config, hub: MulticastHub, paths: PathManager, log: Logger, ports: () => DescriptionPorts): AnnouncedMulticast {
  const origin = announceOrigin(config);
  const mc = new MulticastPaths(hub, paths, config, log);
  const sap = new SapAnnouncer(config, log, origin, (p) => rtspUrlFor(config, ports(), origin, p), paths.counters);
  mc.on(sap);
  return {
    paths: mc,
    sap,
    descriptions: httpDescriptions(config, paths, mc, origin, ports),
    async close() {
      mc.close('server shutting down');
      await sap.close();
    },
  };
}
