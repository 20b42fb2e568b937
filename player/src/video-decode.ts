// WebCodecs video decoding of depacketized frames: configuration from SDP or in-band parameter sets, waits for a key frame after loss.
import type { Track } from '../../server/media/track.js';
import { isH264KeyFrame } from '../../server/rtp/codecs/h264.js';
import { isKeyFrameAccessUnit } from '../../server/rtp/keyframe.js';
import { videoDecoderConfig, type VideoSetup } from './codec-config.js';
import { FRAME_CODECS, frameChunkData, frameDecoderConfig, probeCodecString } from './vpx-av1-config.js';

/** The browser cannot decode this track: the page says so instead of showing a black canvas. */
export class UnsupportedCodecError extends Error {
  override readonly name = 'UnsupportedCodecError';
}

export interface EncodedFrame {
  /** NAL units without start codes; a VP8/VP9 frame; AV1 OBUs (with size fields). */
  nalus: Uint8Array[];
  /** Unwrapped RTP time (track clock units): the chunk timestamp, and how the output finds its wallclock. */
  rtpTime: number;
  /** Part of the frame was lost. */
  damaged: boolean;
}

const START_CODE = Uint8Array.of(0, 0, 0, 1);

function h265Type(n: Uint8Array): number {
  return (n[0]! >>> 1) & 0x3f;
}

export class VideoDecode {
  private decoder: VideoDecoder | undefined;
  private setup: VideoSetup | undefined;
  private waitKey = true;
  private readonly usPerTick: number;
  private sps: Uint8Array[] = [];
  private pps: Uint8Array[] = [];
  private vps: Uint8Array[] = [];
  framesDecoded = 0;
  /** Frames thrown away while waiting for a key frame (after loss or at the start). */
  framesSkipped = 0;
  keyFrameWaits = 0;
  onFrame: (frame: VideoFrame, rtpTime: number) => void = (f) => f.close();
  onError: (e: Error) => void = () => {};

  constructor(readonly track: Track) {
    this.usPerTick = 1e6 / track.clockRate;
  }

  /** Checks the browser can decode the SDP's configuration (when the SDP has one) before anything is played. */
  async check(): Promise<void> {
    if (!('VideoDecoder' in globalThis)) {
      throw new UnsupportedCodecError('this browser has no WebCodecs VideoDecoder (it needs Chrome 94+, Safari 16.4+ or Firefox 130+, from https:// or localhost): try the hls or mp4 mode');
    }
    const setup = videoDecoderConfig(this.track);
    if (setup) await this.configure(setup);
    else if (this.frameCodec) {
      // VP8, VP9, AV1: the configuration comes with the first key frame; ask about the SDP's profile now.
      const codec = probeCodecString(this.track);
      if (!(await VideoDecoder.isConfigSupported({ codec })).supported) {
        throw new UnsupportedCodecError(`this browser cannot decode ${this.track.codec} video (${codec}): VideoDecoder.isConfigSupported says no`);
      }
    } else if (this.track.codec !== 'H264' && this.track.codec !== 'H265') {
      throw new UnsupportedCodecError(`video codec ${this.track.codec} cannot be played by the web player`);
    }
  }

  private async configure(setup: VideoSetup): Promise<void> {
    const support = await VideoDecoder.isConfigSupported(setup.config);
    if (!support.supported) {
      throw new UnsupportedCodecError(`this browser cannot decode ${this.track.codec} video (${setup.config.codec}): VideoDecoder.isConfigSupported says no`);
    }
    this.makeDecoder(setup);
  }

  private makeDecoder(setup: VideoSetup): void {
    this.setup = setup;
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    this.decoder = new VideoDecoder({
      output: (frame) => {
        this.framesDecoded++;
        this.onFrame(frame, Math.round(frame.timestamp / this.usPerTick));
      },
      error: (e) => {
        // A decoder error closes the decoder: make a new one at the next key frame.
        this.decoder = undefined;
        this.waitKey = true;
        this.onError(e instanceof Error ? e : new Error(String(e)));
      },
    });
    this.decoder.configure(setup.config);
    this.waitKey = true;
  }

  push(f: EncodedFrame): void {
    const key = this.isKey(f.nalus);
    this.learnParameterSets(f.nalus);
    if (f.damaged) {
      // PLAYER.md: a lost reference means wait for the next key frame, never decode garbage.
      if (!this.waitKey) this.keyFrameWaits++;
      this.waitKey = true;
      this.framesSkipped++;
      return;
    }
    if (this.waitKey && !key) {
      this.framesSkipped++;
      return;
    }
    const frameSetup = key && this.frameCodec ? frameDecoderConfig(this.track, f.nalus) : undefined;
    if (key && (!this.decoder || this.parameterSetsChanged() || this.frameConfigChanged(frameSetup))) {
      const setup = this.frameCodec ? frameSetup : videoDecoderConfig(this.track, this.sps, this.pps);
      if (!setup) {
        this.framesSkipped++;
        return;
      }
      // Synchronously, so this key frame goes to the new decoder; an unsupported in-band
      // configuration surfaces through the decoder's error callback.
      try {
        this.makeDecoder(setup);
      } catch (e) {
        this.onError(e as Error);
        return;
      }
    }
    const dec = this.decoder;
    if (!dec || dec.state !== 'configured' || !this.setup) {
      this.framesSkipped++;
      return;
    }
    if (key) this.waitKey = false;
    const data = this.chunkData(key, f.nalus);
    try {
      dec.decode(new EncodedVideoChunk({ type: key ? 'key' : 'delta', timestamp: f.rtpTime * this.usPerTick, data }));
    } catch (e) {
      this.waitKey = true;
      this.onError(e as Error);
    }
  }

  /** Frames given to the decoder and not yet out (decode latency, B-frame reordering). */
  get pending(): number {
    return this.decoder?.decodeQueueSize ?? 0;
  }

  /** After a seek: what is in flight belongs to the old position. */
  async reset(): Promise<void> {
    this.waitKey = true;
    const dec = this.decoder;
    if (dec && dec.state === 'configured') {
      dec.reset();
      if (this.setup) dec.configure(this.setup.config);
    }
  }

  close(): void {
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    this.decoder = undefined;
  }

  private get frameCodec(): boolean {
    return FRAME_CODECS.has(this.track.codec);
  }

  /** A VP8/VP9/AV1 key frame whose codec string or size differs from the decoder's (a new stream format). */
  private frameConfigChanged(next: VideoSetup | undefined): boolean {
    const cur = this.setup?.config;
    if (!next || !cur) return false;
    return next.config.codec !== cur.codec || next.config.codedWidth !== cur.codedWidth || next.config.codedHeight !== cur.codedHeight;
  }

  private chunkData(key: boolean, nalus: Uint8Array[]): Uint8Array {
    if (this.frameCodec) return frameChunkData(nalus);
    if (this.setup!.lengthPrefixed) return lengthPrefixed(nalus);
    return annexB(key ? [...this.vps, ...this.sps, ...this.pps, ...nalus] : nalus);
  }

  private isKey(nalus: Uint8Array[]): boolean {
    if (this.frameCodec) return isKeyFrameAccessUnit(this.track.codec, nalus);
    if (this.track.codec === 'H264') return isH264KeyFrame(nalus);
    // H.265 IRAP pictures: BLA, IDR and CRA, types 16-21 (§7.4.2.2).
    return nalus.some((n) => n.length > 0 && h265Type(n) >= 16 && h265Type(n) <= 21);
  }

  private lastSps: Uint8Array | undefined;
  private lastPps: Uint8Array | undefined;

  private learnParameterSets(nalus: Uint8Array[]): void {
    if (this.track.codec !== 'H264' && this.track.codec !== 'H265') return;
    for (const n of nalus) {
      if (this.track.codec === 'H264') {
        const t = n[0]! & 0x1f;
        if (t === 7) this.sps = [n.slice()];
        else if (t === 8) this.pps = [n.slice()];
      } else {
        const t = h265Type(n);
        if (t === 32) this.vps = [n.slice()];
        else if (t === 33) this.sps = [n.slice()];
        else if (t === 34) this.pps = [n.slice()];
      }
    }
    if (this.track.codec === 'H265' && this.sps.length === 0 && this.track.h265) {
      this.vps = this.track.h265.vps;
      this.sps = this.track.h265.sps;
      this.pps = this.track.h265.pps;
    }
  }

  /** An in-band SPS/PPS unlike the configured one (a publisher restarted with other settings). */
  private parameterSetsChanged(): boolean {
    if (this.track.codec !== 'H264') return false;
    const s = this.sps[0];
    const p = this.pps[0];
    if (!s || !p) return false;
    if (this.lastSps === undefined) {
      // The first in-band sets: compare against the SDP's.
      this.lastSps = this.track.h264?.sps[0] ?? s;
      this.lastPps = this.track.h264?.pps[0] ?? p;
    }
    const changed = !equal(s, this.lastSps) || !equal(p, this.lastPps!);
    this.lastSps = s;
    this.lastPps = p;
    return changed;
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function lengthPrefixed(nalus: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(nalus.reduce((s, n) => s + 4 + n.length, 0));
  let o = 0;
  for (const n of nalus) {
    out[o] = n.length >>> 24;
    out[o + 1] = (n.length >>> 16) & 0xff;
    out[o + 2] = (n.length >>> 8) & 0xff;
    out[o + 3] = n.length & 0xff;
    out.set(n, o + 4);
    o += 4 + n.length;
  }
  return out;
}

function annexB(nalus: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(nalus.reduce((s, n) => s + 4 + n.length, 0));
  let o = 0;
  for (const n of nalus) {
    out.set(START_CODE, o);
    out.set(n, o + 4);
    o += 4 + n.length;
  }
  return out;
}
