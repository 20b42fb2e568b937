// WebCodecs audio decoding of depacketized frames (AAC with its AudioSpecificConfig, Opus, G.711).
import type { Track } from '../../server/media/track.js';
import { audioDecoderConfig } from './codec-config.js';
import { UnsupportedCodecError } from './video-decode.js';

export class AudioDecode {
  private decoder: AudioDecoder | undefined;
  private config: AudioDecoderConfig | undefined;
  private readonly usPerTick: number;
  framesDecoded = 0;
  errors = 0;
  onData: (data: AudioData, rtpTime: number) => void = (d) => d.close();
  onError: (e: Error) => void = () => {};

  constructor(readonly track: Track) {
    this.usPerTick = 1e6 / track.clockRate;
  }

  async check(): Promise<void> {
    if (!('AudioDecoder' in globalThis)) {
      throw new UnsupportedCodecError('this browser has no WebCodecs AudioDecoder (it needs Chrome 94+, Safari 16.4+ or Firefox 130+, from https:// or localhost): try the hls or mp4 mode');
    }
    const config = audioDecoderConfig(this.track);
    if (!config) throw new UnsupportedCodecError(`audio codec ${this.track.codec} has no configuration the browser can use (an AAC track needs config= in its SDP)`);
    const support = await AudioDecoder.isConfigSupported(config);
    if (!support.supported) {
      throw new UnsupportedCodecError(`this browser cannot decode ${this.track.codec} audio (${config.codec}): AudioDecoder.isConfigSupported says no`);
    }
    this.config = config;
    this.make();
  }

  private make(): void {
    if (!this.config) return;
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    this.decoder = new AudioDecoder({
      output: (data) => {
        this.framesDecoded++;
        this.onData(data, Math.round(data.timestamp / this.usPerTick));
      },
      error: (e) => {
        this.errors++;
        this.decoder = undefined;
        this.onError(e instanceof Error ? e : new Error(String(e)));
      },
    });
    this.decoder.configure(this.config);
  }

  push(data: Uint8Array, rtpTime: number): void {
    if (!this.decoder) this.make();
    const dec = this.decoder;
    if (!dec || dec.state !== 'configured' || data.length === 0) return;
    try {
      dec.decode(new EncodedAudioChunk({ type: 'key', timestamp: rtpTime * this.usPerTick, data }));
    } catch (e) {
      this.onError(e as Error);
    }
  }

  /** After a seek: drop what is in flight. */
  reset(): void {
    if (this.decoder && this.decoder.state === 'configured' && this.config) {
      this.decoder.reset();
      this.decoder.configure(this.config);
    }
  }

  close(): void {
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    this.decoder = undefined;
  }
}
