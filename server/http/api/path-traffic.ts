// Per path: readers by protocol, bytes and bits/s in and out, from the client registry and the streams.
import { BitrateMeter, type ClientRecord, type ClientRegistry } from '../../core/clients.js';
import type { Stream } from '../../core/stream.js';

/** Paths whose departed readers' bytes are remembered: names come from clients, so the map is bounded. */
const MAX_PATHS = 4096;

export interface PathTrafficFields {
  /** Readers now, whatever the protocol (an HLS muxer counts once). */
  readers: number;
  /** Readers now by protocol, e.g. {"rtsp-udp": 2, "hls": 1}. */
  readersByProtocol: Record<string, number>;
  /** Bytes received from the publisher or source of the current stream. */
  bytesIn: number;
  /** Bits per second received over the last few seconds. */
  bitrateIn: number;
  /** Bytes sent to readers since the server started (readers gone included). */
  bytesOut: number;
  /** Bits per second sent to the readers connected now. */
  bitrateOut: number;
}

export class PathTraffic {
  /** Bytes sent to readers that left, by path. */
  private readonly departed = new Map<string, number>();
  private readonly inMeters = new WeakMap<Stream, BitrateMeter>();

  constructor(clients: ClientRegistry) {
    clients.on({
      removed: (r) => {
        if (r.role !== 'reader') return;
        const had = this.departed.get(r.path);
        if (had === undefined && this.departed.size >= MAX_PATHS) this.departed.delete(this.departed.keys().next().value!);
        this.departed.set(r.path, (had ?? 0) + r.bytes);
      },
    });
  }

  /** The readers and publishers of every path at once (one snapshot per client), grouped by path. */
  static clientsByPath(clients: ClientRegistry): Map<string, ClientRecord[]> {
    const by = new Map<string, ClientRecord[]>();
    for (const r of clients.list()) {
      let list = by.get(r.path);
      if (!list) by.set(r.path, (list = []));
      list.push(r);
    }
    return by;
  }

  /** `clients`: the path's readers and publishers (clientsByPath). */
  fields(path: string, clients: ClientRecord[], stream: Stream | undefined): PathTrafficFields {
    const byProtocol: Record<string, number> = {};
    let bytesOut = this.departed.get(path) ?? 0;
    let bitrateOut = 0;
    let readers = 0;
    let publisherRate: number | undefined;
    for (const r of clients) {
      if (r.role === 'publisher') {
        publisherRate = (publisherRate ?? 0) + r.bitrate;
        continue;
      }
      readers++;
      byProtocol[r.protocol] = (byProtocol[r.protocol] ?? 0) + 1;
      bytesOut += r.bytes;
      bitrateOut += r.bitrate;
    }
    // A publisher's record has measured since it arrived; the stream's own meter starts at the first look.
    let bitrateIn = publisherRate ?? 0;
    if (stream) {
      let m = this.inMeters.get(stream);
      if (!m) this.inMeters.set(stream, (m = new BitrateMeter()));
      const own = m.rate(stream.bytes);
      if (publisherRate === undefined) bitrateIn = own;
    }
    return { readers, readersByProtocol: byProtocol, bytesIn: stream?.bytes ?? 0, bitrateIn, bytesOut, bitrateOut };
  }
}
