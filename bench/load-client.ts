// Load client for the benchmarks: N concurrent RTSP readers over UDP or TCP, counting RTP per reader.
//
// One Node process drives every reader it is given (the benchmarks sample this process's CPU to
// show it is not the bottleneck; bench/live.ts runs several of them). Each reader: OPTIONS,
// DESCRIBE, SETUP per track, PLAY, then it counts RTP per SSRC and sequence gaps until every
// reader has played `playSeconds` (or, with --wait-stop, until a `stop` line on stdin), then TEARDOWN.
//
//   node --import tsx bench/load-client.ts --url rtsp://127.0.0.1:8554/sample.mp4 --n 50 --transport udp
//   node --import tsx bench/load-client.ts --url rtsp://127.0.0.1:8554/live/x --n 200 --transport tcp --range none
//
// stdout: one JSON line per event ({"event":"all-playing"}, {"event":"stopping"}) and a final
// {"event":"result", ...}; progress and errors go to stderr.
//
// UDP is received natively by default (--udp-recv native|dgram|auto, or BENCH_UDP_RECV): sockets
// bound by a small C addon and drained with recvmmsg in a worker thread, no JS per datagram, so the
// measuring client costs the shared cores little; dgram (one 'message' callback per datagram) is
// the fallback when the addon cannot be built.
//
// The parts: load-client/reader.ts (one RTSP session and its RTP counters), load-client/udp.ts
// (client port pairs, socket drops), load-client/native*.ts and native/ (the native receive path), load-client/run-load.ts (ramp, steady window, summary),
// load-client/types.ts (options and results).
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { runLoad } from './load-client/run-load.js';
import { DEFAULT_LOAD_OPTIONS, type LoadOptions, type LoadResult } from './load-client/types.js';

export { runLoad, mergeLoadResults, summarizeReaders, type LoadEvent } from './load-client/run-load.js';
export { udpSocketDrops } from './load-client/udp.js';
export { DEFAULT_LOAD_OPTIONS, percentile, type LoadOptions, type LoadResult, type LowerTransport, type ReaderResult } from './load-client/types.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      n: { type: 'string', default: '50' },
      transport: { type: 'string', default: 'udp' },
      'play-seconds': { type: 'string', default: String(DEFAULT_LOAD_OPTIONS.playSeconds) },
      'ramp-batch': { type: 'string', default: String(DEFAULT_LOAD_OPTIONS.rampBatch) },
      'ramp-step-ms': { type: 'string', default: String(DEFAULT_LOAD_OPTIONS.rampStepMs) },
      'udp-port-base': { type: 'string', default: String(DEFAULT_LOAD_OPTIONS.udpPortBase) },
      'request-timeout-ms': { type: 'string', default: String(DEFAULT_LOAD_OPTIONS.requestTimeoutMs) },
      range: { type: 'string', default: DEFAULT_LOAD_OPTIONS.range ?? 'none' },
      'wait-stop': { type: 'boolean', default: false },
      // BENCH_UDP_RECV: the benches set it for the client processes they spawn.
      'udp-recv': { type: 'string', default: process.env.BENCH_UDP_RECV ?? DEFAULT_LOAD_OPTIONS.udpRecv },
      readers: { type: 'boolean', default: false },
    },
  });
  if (!values.url) {
    process.stderr.write('usage: load-client.ts --url rtsp://host:port/path [--n 50] [--transport udp|tcp] [--play-seconds 15] [--range npt=0.000-|none] [--wait-stop] [--udp-recv native|dgram|auto] [--readers]\n');
    process.exit(2);
  }
  const transport = values.transport === 'tcp' ? 'tcp' : 'udp';
  const udpRecv = values['udp-recv'];
  if (udpRecv !== 'native' && udpRecv !== 'dgram' && udpRecv !== 'auto') {
    process.stderr.write(`--udp-recv ${udpRecv}: native, dgram or auto\n`);
    process.exit(2);
  }
  const opts: LoadOptions = {
    ...DEFAULT_LOAD_OPTIONS,
    url: values.url,
    n: Number(values.n),
    transport,
    playSeconds: Number(values['play-seconds']),
    rampBatch: Number(values['ramp-batch']),
    rampStepMs: Number(values['ramp-step-ms']),
    udpPortBase: Number(values['udp-port-base']),
    requestTimeoutMs: Number(values['request-timeout-ms']),
    range: values.range === 'none' ? null : values.range!,
    waitStop: values['wait-stop']!,
    udpRecv,
  };
  const emit = (o: object): void => {
    process.stdout.write(JSON.stringify(o) + '\n');
  };
  const result = await runLoad(opts, (e) => emit({ ...e, t: Date.now() }));
  if (!values.readers) (result as Partial<LoadResult>).readers = undefined;
  emit({ event: 'result', result });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`load-client: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    },
  );
}
