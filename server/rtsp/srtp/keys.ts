// Fresh SRTP master keys and the MIKEY messages that announce them (time, randomness and bundle id filled in here).
import { randomBytes } from 'node:crypto';
import { ntpFromUnixMs } from '../../rtp/ntp.js';
import type { MikeyMessage, SrtpIdEntry } from '../mikey/message.js';
import { SRTP_KEY_LENGTH, srtpMikey } from '../mikey/srtp-policy.js';

/** 30 random bytes: a 128-bit master key and a 112-bit master salt (RFC 3711 §8.2: never reused). */
export const newSrtpKey = (): Uint8Array => new Uint8Array(randomBytes(SRTP_KEY_LENGTH));

/** Our MIKEY message for `key`, mapping each SSRC to the ROC its next packet will use. */
export function mikeyOf(key: Uint8Array, ssrcs: { ssrc: number; roc: number }[]): MikeyMessage {
  const t = ntpFromUnixMs(Date.now());
  const map: SrtpIdEntry[] = ssrcs.map((s) => ({ policyNo: 0, ssrc: s.ssrc, roc: s.roc }));
  return srtpMikey({ key, ssrcs: map }, (BigInt(t.seconds) << 32n) | BigInt(t.fraction), new Uint8Array(randomBytes(16)), randomBytes(4).readUInt32BE(0));
}
