// The AudioSpecificConfig an RTSP DESCRIBE's `config=` carries: the 2-byte core when the rest only says "no SBR".
//
// ffmpeg's AAC encoder writes 5 bytes, the core plus the explicit backward-compatible SBR signalling
// (ISO 14496-3 §1.6.5.2: sync extension 0x2b7, extension object type 5, sbrPresentFlag 0), which
// changes nothing for a decoder. Clients that read `config` as a 16-bit number (the Axis
// media-stream-library writes it into its esds as one) fail on it; MediaMTX describes the core too.
// Any other config (escaped object type or rate, SBR present, PS, core coder) is sent as it is.

import type { Track } from '../media/track.js';

/** Bytes 2-4 of an ffmpeg ASC: 0x2b7 (11 bits), object type 5 (5 bits), sbrPresentFlag 0, padding. */
const NO_SBR_EXTENSION = [0x56, 0xe5, 0x00];

export function describedAsc(asc: Uint8Array): Uint8Array {
  if (asc.length !== 5 || NO_SBR_EXTENSION.some((b, i) => asc[2 + i] !== b)) return asc;
  const objectType = asc[0]! >> 3;
  const rateIndex = ((asc[0]! & 7) << 1) | (asc[1]! >> 7);
  const channels = (asc[1]! >> 3) & 15;
  // GASpecificConfig: frameLengthFlag, dependsOnCoreCoder (then 14 more bits), extensionFlag.
  const dependsOnCore = (asc[1]! >> 1) & 1;
  const extension = asc[1]! & 1;
  const plainCore = objectType >= 1 && objectType <= 4 && rateIndex < 13 && channels !== 0 && dependsOnCore === 0 && extension === 0;
  return plainCore ? asc.subarray(0, 2) : asc;
}

/** A publisher's MPEG4-GENERIC fmtp with its `config` described as above; everything else verbatim. */
export function describedAacFmtp(fmtp: string): string {
  return fmtp.replace(/(^|;)(\s*config=)([0-9a-fA-F]+)/i, (whole, sep: string, key: string, value: string) => {
    if (value.length !== 10) return whole;
    // No Buffer: SDP code runs in the browser player too.
    const asc = Uint8Array.from(value.match(/../g)!, (h) => parseInt(h, 16));
    const out = describedAsc(asc);
    return out === asc ? whole : `${sep}${key}${Array.from(out, (x) => x.toString(16).padStart(2, '0')).join('')}`;
  });
}

/** The track as DESCRIBE presents it: an AAC track's config (decoded and publisher fmtp) described as above. */
export function describedAacTrack(t: Track): Track {
  if (t.codec !== 'AAC' || !t.aac) return t;
  const asc = describedAsc(t.aac.asc);
  if (asc === t.aac.asc) return t;
  return { ...t, aac: { ...t.aac, asc }, ...(t.sdp ? { sdp: { ...t.sdp, ...(t.sdp.fmtp !== undefined ? { fmtp: describedAacFmtp(t.sdp.fmtp) } : {}) } } : {}) };
}
