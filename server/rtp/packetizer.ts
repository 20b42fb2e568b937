// Codec dispatch: access unit -> RTP payloads, and a depacketizer for a track.

import type { Track } from '../media/track.js';
import type { AccessUnit } from '../media/access-unit.js';
import { AacDepacketizer, packetizeAac } from './codecs/aac.js';
import type { Depacketizer } from './codecs/frame.js';
import { G711Depacketizer, packetizeG711 } from './codecs/g711.js';
import { G722Depacketizer, packetizeG722 } from './codecs/g722.js';
import { JpegDepacketizer, packetizeJpeg } from './codecs/jpeg.js';
import { KlvDepacketizer, packetizeKlv } from './codecs/klv.js';
import { packetizeT140, T140Depacketizer } from './codecs/t140.js';
import { LpcmDepacketizer, lpcmFrameBytes, packetizeLpcm } from './codecs/lpcm.js';
import { H264Depacketizer, packetizeH264 } from './codecs/h264.js';
import { H265Depacketizer, packetizeH265 } from './codecs/h265.js';
import { OpusDepacketizer, packetizeOpus } from './codecs/opus.js';
import { LatmDepacketizer, packetizeLatm, parseStreamMuxConfig, type StreamMuxConfig } from './codecs/latm.js';
import { MpaDepacketizer, packetizeMpa } from './codecs/mpa.js';
import { Ac3Depacketizer, packetizeAc3 } from './codecs/ac3.js';
import { Av1Depacketizer, packetizeAv1 } from './codecs/av1.js';
import { Vp8Depacketizer, packetizeVp8 } from './codecs/vp8.js';
import { Vp9Depacketizer, packetizeVp9 } from './codecs/vp9.js';

export type { DepacketizedFrame, Depacketizer, DepacketizerInput } from './codecs/frame.js';

/**
 * RTP payloads for one access unit, all sent with the AU's RTP timestamp; the caller sets the
 * marker bit on the last one. `mtu` is the maximum RTP payload size (header excluded).
 */
export function packetizeAccessUnit(track: Track, au: AccessUnit, mtu: number): Uint8Array[] {
  switch (track.codec) {
    case 'H264':
      return packetizeH264(au.data, mtu);
    case 'H265':
      return packetizeH265(au.data, mtu);
    case 'AAC':
      return track.aac?.latm ? packetizeLatm(au.data, mtu) : packetizeAac(au.data, mtu);
    case 'MPA':
      return packetizeMpa(au.data, mtu);
    case 'AC3':
      return packetizeAc3(au.data, mtu);
    case 'OPUS':
      return packetizeOpus(au.data, mtu);
    case 'PCMU':
    case 'PCMA':
      return packetizeG711(au.data, mtu);
    case 'VP8':
      return packetizeVp8(au.data, mtu);
    case 'VP9':
      return packetizeVp9(au.data, mtu);
    case 'AV1':
      return packetizeAv1(au.data, mtu);
    case 'G722':
      return packetizeG722(au.data, mtu);
    case 'L16':
    case 'L24':
      return packetizeLpcm(track, au.data, mtu);
    case 'MJPEG':
      return packetizeJpeg(au.data, mtu);
    case 'KLV':
      return packetizeKlv(au.data, mtu);
    case 'T140':
      return packetizeT140(au.data, mtu);
    default:
      throw new Error(`no RTP packetizer for codec ${String((track as Track).codec)}`);
  }
}

/** A depacketizer for the track's codec; a codec without one gets a depacketizer that yields nothing (never a throw). */
/** Never throws: a codec this server cannot depacketize gets one that yields nothing. */
export function createDepacketizer(track: Track): Depacketizer {
  switch (track.codec) {
    case 'H264':
      return new H264Depacketizer();
    case 'H265':
      return new H265Depacketizer();
    case 'AAC':
      return track.aac?.latm ? latmDepacketizer(track) : new AacDepacketizer();
    case 'MPA':
      return new MpaDepacketizer();
    case 'AC3':
      return new Ac3Depacketizer();
    case 'OPUS':
      return new OpusDepacketizer();
    case 'PCMU':
    case 'PCMA':
      return new G711Depacketizer();
    case 'VP8':
      return new Vp8Depacketizer();
    case 'VP9':
      return new Vp9Depacketizer();
    case 'AV1':
      return new Av1Depacketizer();
    case 'G722':
      return new G722Depacketizer();
    case 'L16':
    case 'L24':
      return new LpcmDepacketizer(lpcmFrameBytes(track));
    case 'MJPEG':
      return new JpegDepacketizer();
    case 'KLV':
      return new KlvDepacketizer();
    case 'T140':
      return new T140Depacketizer();
    default:
      // A codec carried over RTSP only (passed through): the access-unit view has nothing to make of it.
      return { push: () => [] };
  }
}

/** LATM: the SDP's StreamMuxConfig, or (cpresent=1) the in-band one, which also fills the track's ASC. */
function latmDepacketizer(track: Track): Depacketizer {
  const latm = track.aac!.latm!;
  let config: StreamMuxConfig | undefined;
  const smc = track.aac!.streamMuxConfig;
  try {
    config = smc ? parseStreamMuxConfig(smc) : undefined;
  } catch {
    config = undefined;
  }
  return new LatmDepacketizer(config, latm.cpresent, (c) => {
    if (track.aac && track.aac.asc.length === 0) track.aac.asc = c.asc;
  });
}
