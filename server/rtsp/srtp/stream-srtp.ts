// One SRTP key per track of a live stream, shared by all of its SRTP readers: each packet is sealed once, on first need, and every reader sends the same bytes (as gortsplib's ServerStream does).
import type { OutPacket } from '../../core/out-packet.js';
import type { Stream } from '../../core/stream.js';
import type { MikeyMessage } from '../mikey/message.js';
import { mikeyOf, newSrtpKey } from './keys.js';
import { SrtpSealer } from './transform.js';

interface TrackSeal {
  sealer: SrtpSealer;
  /** The last RTCP sealed: a sender report of the stream reaches every reader as the same buffer. */
  lastPlain?: Uint8Array;
  lastSealed?: Uint8Array;
}

const ofStream = new WeakMap<Stream, StreamSrtp>();

export class StreamSrtp {
  private readonly tracks: TrackSeal[];

  private constructor(private readonly stream: Stream) {
    this.tracks = stream.tracks.map(() => ({ sealer: new SrtpSealer(newSrtpKey()) }));
  }

  /** The stream's keys, made with its first SRTP DESCRIBE or SETUP; they go with the stream. */
  static of(stream: Stream): StreamSrtp {
    let s = ofStream.get(stream);
    if (!s) ofStream.set(stream, (s = new StreamSrtp(stream)));
    return s;
  }

  /**
   * The packet as SRTP readers get it. Plain readers never call this, so a stream nobody reads over
   * SRTP seals nothing; with SRTP readers each packet is sealed once, whatever their number.
   */
  seal(p: OutPacket): OutPacket | undefined {
    if (p.srtp) return p.srtp;
    const data = this.tracks[p.trackId]?.sealer.sealRtp(p.data);
    if (!data) return undefined;
    p.srtp = { trackId: p.trackId, data, seq: p.seq, timestamp: p.timestamp, ssrc: p.ssrc, keyStart: p.keyStart };
    return p.srtp;
  }

  /** SRTCP for the stream's RTCP (sender reports, shared) or a reader's own BYE. */
  sealRtcp(trackId: number, data: Uint8Array): Uint8Array | undefined {
    const t = this.tracks[trackId];
    if (!t) return undefined;
    if (t.lastPlain === data) return t.lastSealed;
    const sealed = t.sealer.sealRtcp(data);
    t.lastPlain = data;
    t.lastSealed = sealed;
    return sealed;
  }

  /**
   * MIKEY for one track, for a reader about to join: its first packet is the GOP cache's first (or
   * the next one), and the ROC announced is the one that packet is sealed with (RFC 3711 §3.3.1; a
   * receiver such as libsrtp takes it for exactly its first packet). The state is moved there
   * first, so a long time without SRTP readers does not leave it behind.
   */
  mikey(trackId: number): MikeyMessage {
    const t = this.tracks[trackId]!;
    const first = this.stream.startPoint().start.find((s) => s.trackId === trackId);
    const ssrc = this.stream.ssrcOf(trackId);
    if (ssrc === undefined) return mikeyOf(t.sealer.key, []);
    const state = t.sealer.roc(ssrc);
    if (first?.seq === undefined) return mikeyOf(t.sealer.key, [{ ssrc, roc: state.current }]);
    // With SRTP readers already on, the state is past the GOP cache: its first packet may be from the cycle before.
    state.advance(first.seq);
    return mikeyOf(t.sealer.key, [{ ssrc, roc: Math.max(0, state.estimate(first.seq)) }]);
  }
}
