// Keeps a relay's output one continuous RTP stream when it switches upstream (a REDIRECT): seq, timestamp and SSRC go on where they were.

interface TrackState {
  seq: number;
  ts: number;
  ssrc: number;
  /** performance.now() of the last packet out. */
  at: number;
  /** Offsets for the current upstream; undefined until its first packet after a switch. */
  seqOff: number;
  tsOff: number;
  mapSsrc: number | undefined;
  pending: boolean;
}

/**
 * Readers of the relayed path must not see the switch: a new SSRC or a jump in seq or time makes
 * players resynchronise (or drop). After `rebase()`, each track's first packet from the new
 * upstream is mapped to follow the last one sent (seq + 1, time + the wall time between them) and
 * carries the old SSRC; its sender reports are mapped the same way. Rewrites in place: the caller
 * passes its own copies. Packets too short to be RTP or RTCP pass unchanged.
 */
export class RtpContinuity {
  private readonly tracks: (TrackState | undefined)[] = [];

  constructor(private readonly clockRates: number[]) {}

  /** The next packet of every track comes from a new upstream. */
  rebase(): void {
    for (const t of this.tracks) if (t) t.pending = true;
  }

  rtp(track: number, p: Uint8Array, now: number): Uint8Array {
    if (p.length < 12) return p;
    const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
    const seq = v.getUint16(2);
    const ts = v.getUint32(4);
    const ssrc = v.getUint32(8);
    let t = this.tracks[track];
    if (t?.pending) {
      const elapsed = Math.max(1, Math.round(((now - t.at) * (this.clockRates[track] ?? 90000)) / 1000));
      t.seqOff = (t.seq + 1 - seq) & 0xffff;
      t.tsOff = (t.ts + elapsed - ts) >>> 0;
      t.mapSsrc = t.ssrc;
      t.pending = false;
    }
    if (t && t.mapSsrc !== undefined) {
      v.setUint16(2, (seq + t.seqOff) & 0xffff);
      v.setUint32(4, (ts + t.tsOff) >>> 0);
      v.setUint32(8, t.mapSsrc);
    }
    t ??= this.tracks[track] = { seq, ts, ssrc, at: now, seqOff: 0, tsOff: 0, mapSsrc: undefined, pending: false };
    t.seq = v.getUint16(2);
    t.ts = v.getUint32(4);
    t.ssrc = v.getUint32(8);
    t.at = now;
    return p;
  }

  /** A sender report's SSRC and RTP time follow the mapping of its track (RFC 3550 §6.4.1); other RTCP passes; undefined: drop it. */
  rtcp(track: number, p: Uint8Array): Uint8Array | undefined {
    const t = this.tracks[track];
    // A new upstream's report before its first packet has no mapping yet: dropped (the next one comes in ~5 s).
    if (t?.pending) return undefined;
    if (!t || t.mapSsrc === undefined || p.length < 20 || p[1] !== 200) return p;
    const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
    v.setUint32(4, t.mapSsrc);
    v.setUint32(16, (v.getUint32(16) + t.tsOff) >>> 0);
    return p;
  }
}
