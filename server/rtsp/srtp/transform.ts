// SRTP/SRTCP with AES_CM_128_HMAC_SHA1_80 (RFC 3711) on whole packets: werift-rtp derives the session keys and runs SRTCP; RTP is done here on the bytes as they are.
import { createCipheriv, timingSafeEqual } from 'node:crypto';
import { ProtectionProfileAes128CmHmacSha1_80, SrtcpSession, SrtpSession } from 'werift-rtp';
import { MASTER_KEY_LENGTH, SRTP_KEY_LENGTH } from '../mikey/srtp-policy.js';
import { RolloverCounter } from './roc.js';

/** The 80-bit authentication tag every SRTP and SRTCP packet ends with. */
export const SRTP_TAG_LENGTH = 10;

/**
 * What werift's AES-CM cipher offers beyond its declared base class: the counter (RFC 3711 §4.1.1)
 * and the SRTP tag over the packet and ROC (§4.2). Its own encryptRtp re-serializes the header from
 * a parsed RtpHeader, which rewrites header extensions; packets here keep their bytes.
 */
interface AesCmCipher {
  srtpSessionKey: Buffer;
  srtpSessionSalt: Buffer;
  generateCounter(seq: number, roc: number, ssrc: number, salt: Buffer): Buffer;
  generateSrtpAuthTag(roc: number, ...buffers: Buffer[]): Buffer;
}

/** Where an RTP packet's payload starts (RFC 3550 §5.1, §5.3.1), or -1 when the header does not fit. */
export function rtpPayloadOffset(p: Uint8Array): number {
  if (p.length < 12 || p[0]! >>> 6 !== 2) return -1;
  let off = 12 + 4 * (p[0]! & 0x0f);
  if (p[0]! & 0x10) {
    if (p.length < off + 4) return -1;
    off += 4 + 4 * ((p[off + 2]! << 8) | p[off + 3]!);
  }
  return off <= p.length ? off : -1;
}

const u32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
const buf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.length);

function sessions(key: Uint8Array): { rtp: SrtpSession; rtcp: SrtcpSession } {
  if (key.length !== SRTP_KEY_LENGTH) throw new Error(`an SRTP key is ${SRTP_KEY_LENGTH} bytes, not ${key.length}`);
  const k = Buffer.from(key.subarray(0, MASTER_KEY_LENGTH));
  const salt = Buffer.from(key.subarray(MASTER_KEY_LENGTH));
  const keys = { localMasterKey: k, localMasterSalt: salt, remoteMasterKey: k, remoteMasterSalt: salt };
  const profile = ProtectionProfileAes128CmHmacSha1_80;
  return { rtp: new SrtpSession({ keys, profile }), rtcp: new SrtcpSession({ keys, profile }) };
}

/** Protects what we send with one key: RTP (one ROC per SSRC) and RTCP (werift keeps the SRTCP index). */
export class SrtpSealer {
  private readonly cipher: AesCmCipher;
  private readonly rtcp: SrtcpSession;
  private readonly rocs = new Map<number, RolloverCounter>();

  constructor(readonly key: Uint8Array) {
    const s = sessions(key);
    this.cipher = s.rtp.localContext.cipher as unknown as AesCmCipher;
    this.rtcp = s.rtcp;
  }

  /** The ROC state of `ssrc` (what MIKEY announces for it). */
  roc(ssrc: number): RolloverCounter {
    let r = this.rocs.get(ssrc);
    if (!r) this.rocs.set(ssrc, (r = new RolloverCounter()));
    return r;
  }

  /**
   * The SRTP packet for an RTP packet, with `headroom` free bytes in front (the `$` header of TCP
   * readers); undefined for a packet whose header does not parse (it is not sent).
   */
  sealRtp(packet: Uint8Array, headroom = 0): Uint8Array | undefined {
    const off = rtpPayloadOffset(packet);
    if (off < 0) return undefined;
    const seq = (packet[2]! << 8) | packet[3]!;
    const ssrc = u32(packet, 8);
    const state = this.roc(ssrc);
    const v = Math.max(0, state.estimate(seq));
    state.commit(seq, v);
    const c = this.cipher;
    const aes = createCipheriv('aes-128-ctr', c.srtpSessionKey, c.generateCounter(seq, v, ssrc, c.srtpSessionSalt));
    const out = new Uint8Array(headroom + packet.length + SRTP_TAG_LENGTH);
    out.set(packet.subarray(0, off), headroom);
    out.set(aes.update(packet.subarray(off)), headroom + off);
    out.set(c.generateSrtpAuthTag(v, buf(out.subarray(headroom, headroom + packet.length))), headroom + packet.length);
    return out;
  }

  /** The SRTCP packet for a (compound) RTCP packet: encrypted after its first 8 bytes, index and tag appended (RFC 3711 §3.4). */
  sealRtcp(packet: Uint8Array): Uint8Array | undefined {
    if (packet.length < 8) return undefined;
    return new Uint8Array(this.rtcp.encrypt(Buffer.from(packet)));
  }
}

/** Checks and decrypts what a peer sends under its key (MIKEY from its SETUP or ANNOUNCE). */
export class SrtpOpener {
  private readonly cipher: AesCmCipher;
  private readonly rtcp: SrtcpSession;
  private readonly rocs = new Map<number, RolloverCounter>();
  /** Packets that failed authentication or were too short: dropped. */
  rejected = 0;

  /** `rocOf`: the ROC the peer announced for an SSRC (0 when it named none). */
  constructor(
    key: Uint8Array,
    private readonly rocOf: (ssrc: number) => number = () => 0,
  ) {
    const s = sessions(key);
    this.cipher = s.rtp.localContext.cipher as unknown as AesCmCipher;
    this.rtcp = s.rtcp;
  }

  /** The plain RTP packet, or undefined (counted in `rejected`) when it is not an authentic SRTP packet. */
  openRtp(packet: Uint8Array): Uint8Array | undefined {
    const end = packet.length - SRTP_TAG_LENGTH;
    const off = end >= 12 ? rtpPayloadOffset(packet.subarray(0, end)) : -1;
    if (off < 0) return this.reject();
    const seq = (packet[2]! << 8) | packet[3]!;
    const ssrc = u32(packet, 8);
    let state = this.rocs.get(ssrc);
    if (!state) {
      // Bounded: a peer's SSRCs are a handful; a flood of made-up ones fails authentication below.
      if (this.rocs.size >= 16) this.rocs.clear();
      this.rocs.set(ssrc, (state = new RolloverCounter(this.rocOf(ssrc))));
    }
    const v = state.estimate(seq);
    if (v < 0) return this.reject();
    const c = this.cipher;
    const body = buf(packet.subarray(0, end));
    const tag = c.generateSrtpAuthTag(v, body);
    if (!timingSafeEqual(tag, packet.subarray(end))) return this.reject();
    state.commit(seq, v);
    const aes = createCipheriv('aes-128-ctr', c.srtpSessionKey, c.generateCounter(seq, v, ssrc, c.srtpSessionSalt));
    const out = new Uint8Array(end);
    out.set(packet.subarray(0, off));
    out.set(aes.update(packet.subarray(off, end)), off);
    return out;
  }

  /** The plain RTCP packet, or undefined (counted) when it fails authentication. */
  openRtcp(packet: Uint8Array): Uint8Array | undefined {
    try {
      return new Uint8Array(this.rtcp.decrypt(Buffer.from(packet)));
    } catch {
      return this.reject();
    }
  }

  private reject(): undefined {
    this.rejected++;
    return undefined;
  }
}
