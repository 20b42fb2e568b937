// Reads a container's tracks and packets with mediabunny in a worker thread, so a damaged file that sends the demuxer into an endless loop or an allocation spiral costs a worker, not the server.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** One packet as the container stores it: times in seconds, its own copy of the bytes. */
export interface ContainerPacket {
  pts: number;
  dur: number;
  key: boolean;
  data: Uint8Array;
}

/** A track of the container; `packets` and the decoder config are read only for the codecs asked for. */
export interface ContainerTrack {
  id: number;
  /** mediabunny's codec name ('avc', 'hevc', 'aac', ...), null when it does not know the codec. */
  codec: string | null;
  type: string;
  width?: number;
  height?: number;
  sampleRate?: number;
  channels?: number;
  /** ISO 639-2 code the container tags the track with ("und" when untagged). */
  language?: string;
  /** The track's title (Matroska Name, MP4 udta name), when it has one. */
  name?: string;
  /** The decoder configuration record (avcC, hvcC, AudioSpecificConfig, OpusHead). */
  description?: Uint8Array;
  /** Seconds the container's index gives this track; null when it says nothing. */
  declaredDuration: number | null;
  packets: ContainerPacket[];
}

export interface Container {
  matroska: boolean;
  /** Seconds the container's own header or index says the media lasts; null when it says nothing (MPEG-TS). */
  declaredDuration: number | null;
  tracks: ContainerTrack[];
}

export interface ContainerReadOptions {
  /** mediabunny codec names whose packets are wanted. */
  codecs: readonly string[];
  /** Abort once the wanted packets exceed this many bytes (`error` says how to put it). */
  maxBytes: number;
  overBudget: string;
  /** The demux is abandoned when the worker shows no sign of life for this long. */
  stallMs: number;
  /** Heap the worker may use; a damaged index that asks for more ends the worker, not the server. */
  heapMb: number;
}

/**
 * The worker, plain JS run with `eval` so the same code works from the sources (vitest, tsx) and
 * from dist/ without a loader (as the UDP fan-out workers do). It beats a shared counter from a
 * timer and per packet: a demuxer stuck in a synchronous loop stops the beat.
 */
const WORKER_JS = `
const { parentPort, workerData } = require('node:worker_threads');
const mb = require(workerData.mediabunny);
const beat = new Int32Array(workerData.beat);
Atomics.add(beat, 0, 1); // started: the parent's stall clock runs from here
setInterval(() => Atomics.add(beat, 0, 1), 50);
const copy = (d) => ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice() : new Uint8Array(d).slice();
async function read() {
  const input = new mb.Input({ formats: mb.ALL_FORMATS, source: new mb.FilePathSource(workerData.path) });
  const transfer = [];
  try {
    let format;
    try {
      format = await input.getFormat();
    } catch (e) {
      return { error: 'format', message: String(e && e.message || e) };
    }
    const out = { matroska: format instanceof mb.MatroskaInputFormat, declaredDuration: null, tracks: [] };
    let bytes = 0;
    for (const it of await input.getTracks()) {
      const t = { id: it.id, codec: it.codec ?? null, type: it.type, declaredDuration: null, packets: [] };
      out.tracks.push(t);
      if (!workerData.codecs.includes(t.codec) || !(it.isVideoTrack() || it.isAudioTrack())) continue;
      const config = await it.getDecoderConfig();
      if (config && config.description) {
        t.description = copy(config.description);
        transfer.push(t.description.buffer);
      }
      if (it.isVideoTrack()) Object.assign(t, { width: it.codedWidth, height: it.codedHeight });
      else Object.assign(t, { sampleRate: it.sampleRate, channels: it.numberOfChannels });
      if (typeof it.languageCode === 'string') t.language = it.languageCode;
      if (typeof it.name === 'string' && it.name !== '') t.name = it.name;
      for await (const p of new mb.EncodedPacketSink(it).packets()) {
        Atomics.add(beat, 0, 1);
        bytes += p.data.byteLength;
        if (bytes > workerData.maxBytes) return { error: 'budget' };
        const data = copy(p.data);
        transfer.push(data.buffer);
        t.packets.push({ pts: p.timestamp, dur: p.duration, key: p.type === 'key', data });
      }
      t.declaredDuration = await it.getDurationFromMetadata().catch(() => null);
    }
    out.declaredDuration = await input.getDurationFromMetadata().catch(() => null);
    return { container: out, transfer };
  } finally {
    input.dispose();
  }
}
read().then(
  (r) => parentPort.postMessage(r.container ? { container: r.container } : r, r.transfer || []),
  (e) => parentPort.postMessage({ error: 'read', message: String(e && e.message || e) }),
);
`;

/** How long a demux worker may take to start (its first beat) before it counts as stalled. */
const WORKER_START_MS = 30_000;

const MEDIABUNNY = createRequire(import.meta.url).resolve('mediabunny');

/** A read that failed because of the file (it stays failed until the file changes). */
export class ContainerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerError';
  }
}

type Reply = { container: Container } | { error: 'format' | 'read'; message: string } | { error: 'budget' };

/** Reads `path` in a worker of its own, ended when the read is done, fails, stalls or runs out of heap. */
export function readContainer(path: string, opts: ContainerReadOptions): Promise<Container> {
  const beat = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_JS, {
    eval: true,
    workerData: { path, codecs: opts.codecs, maxBytes: opts.maxBytes, beat: beat.buffer, mediabunny: MEDIABUNNY },
    name: 'tidecast-demux',
    resourceLimits: { maxOldGenerationSizeMb: opts.heapMb },
  });
  // A demux in flight never keeps a stopping server alive.
  worker.unref();
  return new Promise<Container>((resolve, reject) => {
    let last = 0;
    const born = Date.now();
    // Shared memory, not messages: a busy main thread reads the beat the worker really made. The
    // clock starts at the worker's first beat: starting a worker (and loading the demuxer in it) on
    // a loaded machine can take longer than a stall, and says nothing about the file.
    const watch = setInterval(() => {
      const now = Atomics.load(beat, 0);
      if (now !== last) {
        last = now;
        return;
      }
      if (now === 0 && Date.now() - born < WORKER_START_MS) return;
      finish(new ContainerError(`${path}: the demuxer made no progress for ${opts.stallMs / 1000} s and was stopped; the file is damaged`));
    }, opts.stallMs);
    watch.unref();
    let done = false;
    const finish = (result: Error | Container): void => {
      if (done) return;
      done = true;
      clearInterval(watch);
      void worker.terminate();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    worker.on('message', (r: Reply) => {
      if ('container' in r) finish(r.container);
      else if (r.error === 'budget') finish(new ContainerError(opts.overBudget));
      else if (r.error === 'format') finish(new ContainerError(`${path}: not a media file that can be read (MP4/MOV, MKV/WebM, MPEG-TS, Ogg, WAV are supported): ${r.message}`));
      else finish(new ContainerError(`${path}: the file is damaged: ${r.message}`));
    });
    worker.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        finish(new ContainerError(`${path}: demuxing needed more than ${opts.heapMb} MB of memory and was stopped; the file's index is damaged`));
      } else {
        finish(new Error(`${path}: the demux worker failed: ${e.message}`));
      }
    });
    worker.on('exit', (code) => finish(new Error(`${path}: the demux worker exited (code ${code}) before it answered`)));
  });
}
