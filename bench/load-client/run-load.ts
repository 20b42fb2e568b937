// One load case end to end (ramp, steady window, TEARDOWN), and the summary of its readers.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { percentile } from '../lib/stats.js';
import { loadUdpSink } from './native.js';
import { UdpSink } from './native-sink.js';
import { Reader } from './reader.js';
import type { LoadOptions, LoadResult, ReaderResult } from './types.js';
import { UdpPairAllocator, udpSocketDrops } from './udp.js';

const LOOP_RES_MS = 10;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export type LoadEvent = { event: 'all-playing'; playing: number; failed: number } | { event: 'stopping' };

const dist = (xs: number[]): { p50: number; p95: number; max: number; count: number } => ({
  p50: percentile(xs, 50),
  p95: percentile(xs, 95),
  max: xs.length ? Math.max(...xs) : NaN,
  count: xs.length,
});

/** The reader-derived fields of a LoadResult: also used to merge the readers of several client processes. */
export function summarizeReaders(
  results: ReaderResult[],
): Pick<
  LoadResult,
  'received' | 'expected' | 'lost' | 'lossPct' | 'gaps' | 'rtpInfoMismatches' | 'rtpInfoNoSeq' | 'rtpInfoExamples' | 'silentTracks' | 'firstRtpMs' | 'firstKeyMs' | 'realtime' | 'setupMs'
> {
  const ok = results.filter((r) => r.ok);
  const firsts = ok.map((r) => r.firstRtpMs).filter((x): x is number => x !== undefined);
  const keys = ok.map((r) => r.firstKeyMs).filter((x): x is number => x !== undefined);
  const realtimes = ok.map((r) => r.realtime).filter((x): x is number => x !== undefined);
  const setups = ok.map((r) => r.setupMs!).filter((x) => x !== undefined);
  const received = ok.reduce((a, r) => a + r.received, 0);
  const expected = ok.reduce((a, r) => a + r.expected, 0);
  const lost = ok.reduce((a, r) => a + r.lost, 0);
  const setupDist = dist(setups);
  return {
    received,
    expected,
    lost,
    lossPct: expected > 0 ? (100 * lost) / expected : NaN,
    gaps: ok.reduce((a, r) => a + r.gaps, 0),
    rtpInfoMismatches: ok.reduce((a, r) => a + r.rtpInfoMismatches, 0),
    rtpInfoNoSeq: ok.reduce((a, r) => a + r.rtpInfoNoSeq, 0),
    rtpInfoExamples: ok.filter((r) => r.rtpInfoDetail).slice(0, 3).map((r) => `reader ${r.index}: ${r.rtpInfoDetail}`),
    silentTracks: ok.reduce((a, r) => a + r.silentTracks, 0),
    firstRtpMs: dist(firsts),
    firstKeyMs: dist(keys),
    realtime: { p50: percentile(realtimes, 50), min: realtimes.length ? Math.min(...realtimes) : NaN },
    setupMs: { p50: setupDist.p50, p95: setupDist.p95, max: setupDist.max },
  };
}

/** Resolves on a `stop` line on stdin (LoadOptions.waitStop). */
function stdinStop(): Promise<void> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      if (line.trim() === 'stop') {
        rl.close();
        resolve();
      }
    });
    rl.on('close', () => resolve());
  });
}

/**
 * The native receive path for UDP readers (--udp-recv native, or auto when the addon builds and
 * loads), else dgram. An explicit `native` that cannot load is an error, not a silent fallback.
 */
function openSink(opts: LoadOptions): { sink?: UdpSink; udpRecv?: string } {
  if (opts.transport !== 'udp') return {};
  if (opts.udpRecv === 'dgram') return { udpRecv: 'dgram' };
  const addon = loadUdpSink();
  if (!addon) {
    if (opts.udpRecv === 'native') throw new Error('--udp-recv native: the udp_sink addon did not build or load (see above)');
    return { udpRecv: 'dgram' };
  }
  // Two slots (RTP, RTCP) per track; up to 4 tracks per reader.
  return { sink: new UdpSink(addon, 8 * opts.n + 8), udpRecv: 'native' };
}

/** Runs one load case end to end. `onEvent` marks the steady window for a CPU sampler. */
export async function runLoad(opts: LoadOptions, onEvent: (e: LoadEvent) => void = () => {}): Promise<LoadResult> {
  const ports = new UdpPairAllocator(opts.udpPortBase);
  const counter = { packets: 0 };
  const { sink, udpRecv } = openSink(opts);
  const packets = (): number => counter.packets + (sink?.packets() ?? 0);
  const readers: Reader[] = [];
  const starts: Promise<void>[] = [];
  const errors: Record<string, number> = {};
  const noteError = (e: unknown): void => {
    // Group by message without numbers so 200 similar errors read as one line.
    const msg = (e instanceof Error ? e.message : String(e)).replace(/\d+/g, 'N');
    errors[msg] = (errors[msg] ?? 0) + 1;
  };
  const stop = opts.waitStop ? stdinStop() : undefined;

  for (let i = 0; i < opts.n; i++) {
    if (i > 0 && i % opts.rampBatch === 0) await sleep(opts.rampStepMs);
    const r = new Reader(i, opts, ports, counter, sink);
    readers.push(r);
    starts.push(
      r.start().catch((e: unknown) => {
        r.result.ok = false;
        r.result.error = e instanceof Error ? e.message : String(e);
        noteError(e);
        r.destroy();
      }),
    );
  }
  await Promise.all(starts);
  const playing = readers.filter((r) => r.result.ok);
  onEvent({ event: 'all-playing', playing: playing.length, failed: opts.n - playing.length });

  const loop = monitorEventLoopDelay({ resolution: LOOP_RES_MS });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const packets0 = packets();
  await (stop ?? sleep(opts.playSeconds * 1000));
  const steadyPackets = packets() - packets0;
  const steadyMs = performance.now() - t0;
  const clientUdp = opts.transport === 'udp' ? udpSocketDrops(ports.ports) : { drops: 0, queuedBytes: 0 };
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  onEvent({ event: 'stopping' });

  // Packets counted up to now (the counters keep running until each reader's TEARDOWN is sent).
  const teardowns = await Promise.all(playing.map((r) => r.stop()));
  await sink?.close();
  const results = readers.map((r) => r.result);
  return {
    transport: opts.transport,
    n: opts.n,
    started: readers.length,
    playing: playing.length,
    failed: opts.n - playing.length,
    errors,
    steadySeconds: steadyMs / 1000,
    ...summarizeReaders(results),
    udpRecv,
    packetsPerSecond: steadyPackets / (steadyMs / 1000),
    clientCpuPct: (100 * (cpu.user + cpu.system)) / 1000 / steadyMs,
    // The histogram records the whole timer interval: subtract the resolution to get the lateness.
    clientLoopDelayMs: { p50: loop.percentile(50) / 1e6 - LOOP_RES_MS, p99: loop.percentile(99) / 1e6 - LOOP_RES_MS, max: loop.max / 1e6 - LOOP_RES_MS },
    teardownOk: teardowns.filter(Boolean).length,
    clientUdpDrops: clientUdp.drops,
    readers: results,
  };
}

/**
 * Merges the results of several client processes that together played one case (bench/live.ts).
 * Needs each part's `readers`; percentiles are recomputed over all of them, rates and drops add up,
 * and the event-loop delay is the worst process's.
 */
export function mergeLoadResults(parts: LoadResult[]): LoadResult {
  const readers = parts.flatMap((p) => p.readers);
  const errors: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + v;
  const sum = (f: (p: LoadResult) => number): number => parts.reduce((a, p) => a + f(p), 0);
  const max = (f: (p: LoadResult) => number): number => Math.max(...parts.map(f));
  return {
    transport: parts[0]!.transport,
    n: sum((p) => p.n),
    started: sum((p) => p.started),
    playing: sum((p) => p.playing),
    failed: sum((p) => p.failed),
    errors,
    steadySeconds: max((p) => p.steadySeconds),
    ...summarizeReaders(readers),
    udpRecv: [...new Set(parts.map((p) => p.udpRecv).filter((x) => x !== undefined))].join('+') || undefined,
    packetsPerSecond: sum((p) => p.packetsPerSecond),
    clientCpuPct: sum((p) => p.clientCpuPct),
    clientLoopDelayMs: { p50: max((p) => p.clientLoopDelayMs.p50), p99: max((p) => p.clientLoopDelayMs.p99), max: max((p) => p.clientLoopDelayMs.max) },
    teardownOk: sum((p) => p.teardownOk),
    clientUdpDrops: sum((p) => p.clientUdpDrops),
    readers,
  };
}
