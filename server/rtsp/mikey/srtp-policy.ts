// The SRTP key a MIKEY message carries: the message we send for AES_CM_128_HMAC_SHA1_80, and the checks on one a client sends.
import { MikeyError, type MikeyMessage, type PayloadKemac, type PayloadSp, type SrtpIdEntry } from './message.js';

/** Master key (16 bytes) then master salt (14 bytes), as MIKEY's TEK carries them (RFC 3830 §4.2). */
export const SRTP_KEY_LENGTH = 30;
export const MASTER_KEY_LENGTH = 16;

/** RFC 3830 §6.10.1 SRTP policy parameter types. */
export const SP = {
  ENC_ALG: 0,
  ENC_KEY_LEN: 1,
  AUTH_ALG: 2,
  AUTH_KEY_LEN: 3,
  SALT_KEY_LEN: 4,
  PRF: 5,
  KEY_DERIVATION_RATE: 6,
  SRTP_ENC: 7,
  SRTCP_ENC: 8,
  FEC_ORDER: 9,
  SRTP_AUTH: 10,
  AUTH_TAG_LEN: 11,
  PREFIX_LEN: 12,
} as const;

/** What we speak: AES-CM 128 (1), HMAC-SHA-1 (1) with its 160-bit key, 80-bit tags, encryption and authentication on. */
const OUR_POLICY: [number, number][] = [
  [SP.ENC_ALG, 1],
  [SP.ENC_KEY_LEN, 16],
  [SP.AUTH_ALG, 1],
  [SP.AUTH_KEY_LEN, 20],
  [SP.SRTP_ENC, 1],
  [SP.SRTCP_ENC, 1],
  [SP.SRTP_AUTH, 1],
  [SP.AUTH_TAG_LEN, 10],
];

export interface SrtpKeying {
  /** 30 bytes: master key then master salt. */
  key: Uint8Array;
  /** Crypto sessions: SSRC and rollover counter each (RFC 3830 §6.1, RFC 3711 §3.3.1). */
  ssrcs: SrtpIdEntry[];
}

/**
 * Our message for one medium. `ntpNow`: the 64-bit NTP time of the T payload; `rand`: 16 random
 * bytes; `csbId`: a random 32-bit bundle id. The caller supplies the randomness (this file runs
 * without Node).
 */
export function srtpMikey(k: SrtpKeying, ntpNow: bigint, rand: Uint8Array, csbId: number): MikeyMessage {
  if (k.key.length !== SRTP_KEY_LENGTH) throw new MikeyError(`an SRTP key is ${SRTP_KEY_LENGTH} bytes (master key and salt), not ${k.key.length}`);
  return {
    header: { csbId: csbId >>> 0, csIdMap: k.ssrcs.map((e) => ({ policyNo: 0, ssrc: e.ssrc >>> 0, roc: e.roc >>> 0 })) },
    payloads: [
      { type: 'T', tsType: 0, value: ntpNow },
      { type: 'RAND', data: rand },
      { type: 'SP', policyNo: 0, protType: 0, params: OUR_POLICY.map(([type, v]) => ({ type, value: Uint8Array.of(v) })) },
      { type: 'KEMAC', keys: [{ key: k.key }] },
    ],
  };
}

/**
 * The key a peer's message gives, refused in words when its policy is not AES_CM_128_HMAC_SHA1_80
 * with encryption and authentication on. Parameters left out take RFC 3830 §6.10.1's defaults,
 * which are that profile. GStreamer writes the 80-bit tag as "auth key length 10" (gstmikey.c), so
 * 10 is accepted there besides the RFC's 20; 4 (its HMAC_SHA1_32) is refused.
 */
export function srtpKeyingOf(m: MikeyMessage): SrtpKeying {
  const sp = m.payloads.find((p): p is PayloadSp => p.type === 'SP');
  if (sp) checkPolicy(sp);
  const kemac = m.payloads.find((p): p is PayloadKemac => p.type === 'KEMAC');
  if (!kemac) throw new MikeyError('the MIKEY message has no KEMAC payload, so no key');
  if (kemac.keys.length !== 1) throw new MikeyError(`the MIKEY message has ${kemac.keys.length} keys; one per medium is supported`);
  const key = kemac.keys[0]!.key;
  if (key.length !== SRTP_KEY_LENGTH) {
    throw new MikeyError(`the MIKEY key is ${key.length} bytes; AES_CM_128_HMAC_SHA1_80 takes ${SRTP_KEY_LENGTH} (16 key + 14 salt)`);
  }
  if (kemac.keys[0]!.spi?.length) throw new MikeyError('the MIKEY key has an MKI (SPI); SRTP with an MKI is not supported');
  return { key, ssrcs: m.header.csIdMap };
}

function checkPolicy(sp: PayloadSp): void {
  const want: Record<number, { ok: number[]; what: string }> = {
    [SP.ENC_ALG]: { ok: [1], what: 'encryption algorithm must be 1 (AES-CM)' },
    [SP.ENC_KEY_LEN]: { ok: [16], what: 'encryption key length must be 16 (AES-128)' },
    [SP.AUTH_ALG]: { ok: [1], what: 'authentication algorithm must be 1 (HMAC-SHA-1)' },
    [SP.AUTH_KEY_LEN]: { ok: [20, 10], what: 'authentication key length must be 20' },
    [SP.SALT_KEY_LEN]: { ok: [14], what: 'salt length must be 14' },
    [SP.PRF]: { ok: [0], what: 'SRTP PRF must be 0 (AES-CM)' },
    [SP.KEY_DERIVATION_RATE]: { ok: [0], what: 'key derivation rate must be 0' },
    [SP.SRTP_ENC]: { ok: [1], what: 'SRTP encryption must be 1 (on)' },
    [SP.SRTCP_ENC]: { ok: [1], what: 'SRTCP encryption must be 1 (on)' },
    [SP.SRTP_AUTH]: { ok: [1], what: 'SRTP authentication must be 1 (on)' },
    [SP.AUTH_TAG_LEN]: { ok: [10], what: 'authentication tag length must be 10 (80 bits)' },
    [SP.PREFIX_LEN]: { ok: [0], what: 'SRTP prefix length must be 0' },
  };
  for (const p of sp.params) {
    const w = want[p.type];
    if (!w) continue; // FEC order and unknown parameters do not change the transform
    const v = p.value.reduce((n, b) => n * 256 + b, 0);
    if (p.value.length === 0 || !w.ok.includes(v)) {
      throw new MikeyError(`SRTP policy: the ${w.what}, got ${p.value.length ? v : 'no value'}; only AES_CM_128_HMAC_SHA1_80 is supported`);
    }
  }
}

/** The ROC the peer gave `ssrc`, 0 when it named none (RFC 3711 §3.3.1: a new stream starts at 0). */
export function rocOf(k: SrtpKeying, ssrc: number): number {
  return k.ssrcs.find((e) => e.ssrc === ssrc >>> 0)?.roc ?? 0;
}
