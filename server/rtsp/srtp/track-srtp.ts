// SRTP for one set-up track of a session: what we send (the live stream's shared key, or the session's own for a file) and the peer's key for what it sends.
import type { OutPacket } from '../../core/out-packet.js';
import type { Stream } from '../../core/stream.js';
import type { MikeyMessage } from '../mikey/message.js';
import { mikeyOf } from './keys.js';
import { StreamSrtp } from './stream-srtp.js';
import { SrtpOpener, SrtpSealer } from './transform.js';

export interface TrackSrtp {
  /** A live packet as SRTP readers get it (the stream's shared copy). */
  live(p: OutPacket): OutPacket | undefined;
  /** A packet made for this reader alone (file playback), with `headroom` free bytes in front. */
  own(packet: Uint8Array, headroom: number): Uint8Array | undefined;
  /** SRTCP for RTCP we send on this track. */
  rtcp(data: Uint8Array): Uint8Array | undefined;
  /** Reads what the peer sends: a reader's SRTCP, a publisher's SRTP and SRTCP. */
  readonly opener: SrtpOpener;
  /** Our key, for the KeyMgmt of SETUP's reply; undefined when we send nothing on the track (a publisher's). */
  reply(): MikeyMessage | undefined;
}

/** A reader of a live stream: the stream's key, shared with every other SRTP reader. */
export class LiveTrackSrtp implements TrackSrtp {
  private readonly shared: StreamSrtp;

  constructor(
    stream: Stream,
    private readonly trackId: number,
    readonly opener: SrtpOpener,
  ) {
    this.shared = StreamSrtp.of(stream);
  }

  live(p: OutPacket): OutPacket | undefined {
    return this.shared.seal(p);
  }

  own(): undefined {
    return undefined;
  }

  rtcp(data: Uint8Array): Uint8Array | undefined {
    return this.shared.sealRtcp(this.trackId, data);
  }

  reply(): MikeyMessage {
    return this.shared.mikey(this.trackId);
  }
}

/** A reader of a file: its packets are its own (own cursor, own SSRC), so is its key. */
export class OwnTrackSrtp implements TrackSrtp {
  private readonly sealer: SrtpSealer;

  constructor(
    key: Uint8Array,
    private readonly ssrc: () => number | undefined,
    readonly opener: SrtpOpener,
  ) {
    this.sealer = new SrtpSealer(key);
  }

  live(p: OutPacket): OutPacket | undefined {
    const data = this.sealer.sealRtp(p.data);
    return data ? { ...p, data, framed: undefined, srtp: undefined } : undefined;
  }

  own(packet: Uint8Array, headroom: number): Uint8Array | undefined {
    return this.sealer.sealRtp(packet, headroom);
  }

  rtcp(data: Uint8Array): Uint8Array | undefined {
    return this.sealer.sealRtcp(data);
  }

  reply(): MikeyMessage {
    const ssrc = this.ssrc();
    return mikeyOf(this.sealer.key, ssrc === undefined ? [] : [{ ssrc, roc: this.sealer.roc(ssrc).current }]);
  }
}

/** A publisher's track: we only read it (no RTCP goes back to publishers). */
export class PublishTrackSrtp implements TrackSrtp {
  constructor(readonly opener: SrtpOpener) {}

  live(): undefined {
    return undefined;
  }

  own(): undefined {
    return undefined;
  }

  rtcp(): undefined {
    return undefined;
  }

  reply(): undefined {
    return undefined;
  }
}
