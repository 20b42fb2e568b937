// The publish source's Ingest (core's Publisher): one TrackIngest per published track, fed by track id.
import type { Ingest, Publisher, PublishInput } from '../../core/publisher.js';
import type { Stream } from '../../core/stream.js';
import { TrackIngest } from './ingest.js';

/** What app.ts registers with the PathManager for RTSP RECORD and relays. */
export const ingestRtp: Ingest = (stream, inputs) => new IngestPublisher(stream, inputs);

class IngestPublisher implements Publisher {
  /** By track id; undefined for tracks that are not published. */
  private readonly tracks: (TrackIngest | undefined)[] = [];

  constructor(stream: Stream, inputs: PublishInput[]) {
    for (const i of inputs) this.tracks[i.trackId] = new TrackIngest(stream.tracks[i.trackId]!, stream, i.reorder);
  }

  pushRtp(trackId: number, data: Uint8Array, nowMs: number): void {
    this.tracks[trackId]?.pushRtp(data, nowMs);
  }

  pushRtcp(trackId: number, data: Uint8Array): void {
    this.tracks[trackId]?.pushRtcp(data);
  }

  flush(nowMs: number): void {
    for (const t of this.tracks) t?.flush(nowMs);
  }
}
