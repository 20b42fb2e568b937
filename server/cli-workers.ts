// `tidecast serve --workers N`: the origin forks N-1 edge processes, keeps their records (the IPC store) and places readers on them
// with the same placement a Redis front uses (core/node-placement.ts), itself a candidate.
import type { Config } from './config.js';
import type { Logger } from './log.js';
import type { PathManager } from './core/path-manager.js';
import { NodePlacement } from './core/node-placement.js';
import { edgeSpecs, portClash, type OriginPorts } from './workers/edge-config.js';
import { IpcStore } from './workers/ipc-store.js';
import { workerId } from './workers/messages.js';
import { EdgeSupervisor } from './workers/supervisor.js';

export const MAX_WORKERS = 256;

/** Starts the edges of an origin that listens on `bound`; its paths send readers to them from now on. Throws when their ports clash. */
export function startEdgeWorkers(n: number, config: Config, app: OriginPorts & { paths: PathManager }, log: Logger): { stop(): Promise<void> } {
  const specs = edgeSpecs(n, config, app);
  const clash = portClash(specs, config, app);
  if (clash) throw new Error(clash);
  const store = new IpcStore(app.paths.clients, app);
  app.paths.cluster = new NodePlacement(store, { id: workerId(0), role: 'origin', placing: 'origin', sameMachine: true });
  const supervisor = new EdgeSupervisor(specs, process.argv[1]!, process.argv.slice(2), log, {
    message: (index, m) => {
      store.update(index, m.node);
      if (m.type === 'ready') {
        const [edgeRtspPort, edgeHttpPort] = [Number(new URL(m.node.rtsp).port), Number(new URL(m.node.http).port)];
        log.info({ worker: index, edgeRtspPort, edgeHttpPort }, `edge worker ${index} ready: RTSP on port ${edgeRtspPort}, HTTP on port ${edgeHttpPort}, pulling from the origin`);
      }
    },
    exit: (index) => store.remove(index),
  });
  supervisor.start();
  log.info({ workers: n }, `${n} processes: this origin (ingest, and the front: DESCRIBE and HLS/progressive entry URLs answer 302 to the least-loaded process) and ${n - 1} edge${n > 2 ? 's' : ''}`);
  return {
    stop: async () => {
      await supervisor.stop();
      store.close();
    },
  };
}
