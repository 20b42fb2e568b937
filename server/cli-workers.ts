// `tidecast serve --workers N`: the origin process places readers on N-1 edge processes it forks, restarts and stops.
import type { Config } from './config.js';
import type { Logger } from './log.js';
import type { PathManager } from './core/path-manager.js';
import { edgeSpecs, portClash, type OriginPorts } from './workers/edge-config.js';
import { loadOf } from './workers/load.js';
import { WorkerPlacement } from './workers/placement.js';
import { EdgeSupervisor } from './workers/supervisor.js';

export const MAX_WORKERS = 256;

/** Starts the edges of an origin that listens on `bound`; its paths send readers to them from now on. Throws when their ports clash. */
export function startEdgeWorkers(n: number, config: Config, app: OriginPorts & { paths: PathManager }, log: Logger): EdgeSupervisor {
  const specs = edgeSpecs(n, config, app);
  const clash = portClash(specs, config, app);
  if (clash) throw new Error(clash);
  const placement = new WorkerPlacement(() => loadOf(app.paths.clients));
  app.paths.placement = placement;
  const supervisor = new EdgeSupervisor(specs, process.argv[1]!, process.argv.slice(2), log, {
    message: (index, m) => {
      placement.update(index, m);
      if (m.type === 'ready') {
        log.info({ worker: index, edgeRtspPort: m.rtspPort, edgeHttpPort: m.httpPort }, `edge worker ${index} ready: RTSP on port ${m.rtspPort}, HTTP on port ${m.httpPort}, pulling from the origin`);
      }
    },
    exit: (index) => placement.remove(index),
  });
  supervisor.start();
  log.info({ workers: n }, `${n} processes: this origin (ingest, and the front: DESCRIBE and HLS/progressive entry URLs answer 302 to the least-loaded process) and ${n - 1} edge${n > 2 ? 's' : ''}`);
  return supervisor;
}
