// Publishing on a live path: the Publisher handle that RTSP RECORD and relays feed RTP into, and the Ingest that makes one.
import type { Stream } from './stream.js';

/** One published track and how its RTP arrives. */
export interface PublishInput {
  trackId: number;
  /** UDP can reorder, so its packets are held briefly to put them in order; TCP cannot, and skips the buffer (and its delay). */
  reorder: boolean;
}

/** What a publisher's RTP goes into, from PathManager.publish; RTP of a track that is not among its inputs is ignored. */
export interface Publisher {
  /** `data` must not be reused by the caller: the stream keeps it for readers and the GOP cache. */
  pushRtp(trackId: number, data: Uint8Array, nowMs: number): void;
  /** The publisher's RTCP, forwarded to readers unchanged (its sender reports anchor their lip sync). */
  pushRtcp(trackId: number, data: Uint8Array): void;
  /** Releases what reorder buffers held past their delay (called on a timer when inputs reorder). */
  flush(nowMs: number): void;
}

/** Makes the Publisher that feeds `stream` (sources/publish implements it; app.ts hands it to the PathManager). */
export type Ingest = (stream: Stream, inputs: PublishInput[]) => Publisher;
