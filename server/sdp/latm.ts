// SDP of MPEG-4 Audio as LATM (RFC 6416 §7.3 MP4A-LATM): the StreamMuxConfig of config=, or in band (cpresent=1).
import type { Track } from '../media/track.js';
import { parseAudioSpecificConfig } from '../rtp/codecs/aac.js';
import { parseStreamMuxConfig } from '../rtp/codecs/latm.js';

/** A refusal in words; parse.ts turns it into its SdpError (kept apart so the two files form no cycle). */
export interface LatmRefusal {
  message: string;
  reason: 'invalid' | 'unsupported';
}

/**
 * The track stays codec AAC (muxers take its AudioSpecificConfig) and remembers LATM for the
 * depacketizer. GStreamer's rtpmp4apay and ffmpeg's `-rtpflags latm` both send cpresent=0 with config=.
 */
export function readLatm(track: Track, params: Map<string, string>, where: string, rtpChannels: number | undefined): LatmRefusal | undefined {
  // RFC 6416 §7.1: cpresent defaults to 1 (StreamMuxConfig in band).
  const cpresent = (params.get('cpresent') ?? '1') !== '0';
  const hex = params.get('config') ?? '';
  if (!hex) {
    if (!cpresent) return { message: `${where}: MP4A-LATM with cpresent=0 needs config=<StreamMuxConfig in hex> (RFC 6416 §7.3)`, reason: 'invalid' };
    track.aac = { asc: new Uint8Array(0), latm: { cpresent } };
    track.sampleRate = track.clockRate;
    track.channels = rtpChannels ?? 1;
    return undefined;
  }
  if (!/^([0-9a-f]{2})+$/i.test(hex)) return { message: `${where}: MP4A-LATM config="${hex}" is not hex`, reason: 'invalid' };
  const smc = Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
  let asc: Uint8Array;
  let info;
  try {
    asc = parseStreamMuxConfig(smc).asc;
    info = parseAudioSpecificConfig(asc);
  } catch (e) {
    return { message: `${where}: MP4A-LATM config=${hex}: ${(e as Error).message}`, reason: 'unsupported' };
  }
  track.aac = { asc, latm: { cpresent }, streamMuxConfig: smc };
  track.sampleRate = info.sampleRate;
  track.channels = info.channels > 0 ? info.channels : (rtpChannels ?? 2);
  return undefined;
}
