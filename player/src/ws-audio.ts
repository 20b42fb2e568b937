// The ws mode's audio path: from the audio jitter buffer through the decoder to the WebAudio schedule,
// skipping a join's late burst, and telling lip sync when each frame will be heard.
import type { AudioDecode } from './audio-decode.js';
import type { AudioOut } from './audio-out.js';
import type { AudioOutputMap } from './audio-output-map.js';
import { scheduleAudio } from './audio-schedule.js';
import type { TrackReceiver } from './track-receiver.js';

/** Audio of a join's burst later than this behind its playout point is skipped (one AAC frame is ~21 ms). */
const AUDIO_SKIP_LATE_MS = 30;

export interface WsAudioHooks {
  /** Decoded audio is dropped while this holds (closed or paused). */
  silent(): boolean;
  /** A frame at RTP time `ts` will be heard at `heardUnixMs`. */
  scheduled(ts: number, heardUnixMs: number): void;
}

export class WsAudio {
  /** Frames of a join's burst skipped as too late. */
  droppedLate = 0;
  /** Channels of the latest decoded frame. */
  channels: number | null = null;
  private skipping = false;

  constructor(receiver: TrackReceiver, dec: AudioDecode, out: AudioOut, map: AudioOutputMap, hooks: WsAudioHooks) {
    receiver.onFrame = (f) => {
      // A join's GOP burst hands out up to ~2 s of audio already behind its playout point.
      // Played, it would be squeezed into the first moments (the output cannot catch up seconds
      // by slewing) and cost decode work while the page is busiest: it is skipped. Other late
      // audio (jitter, or a publisher packing 0.5 s of AAC per packet) plays as ever.
      // The decoder is reset for it: Chromium stamps its output from the first input's timestamp
      // on by counting samples, so a hole in the input would shift all later audio by its length.
      if (f.behindLiveEdge && f.lateMs > AUDIO_SKIP_LATE_MS) {
        if (!this.skipping) dec.reset();
        this.skipping = true;
        return void this.droppedLate++;
      }
      this.skipping = false;
      dec.push(f.frame.data[0] ?? new Uint8Array(0), f.rtpTime);
    };
    dec.onData = (data, rtpTime) => {
      this.channels = data.numberOfChannels;
      if (hooks.silent()) return void data.close();
      const ts = rtpTime >>> 0;
      const at = scheduleAudio(out, map, data, rtpTime, receiver.track.clockRate, receiver.jb.playoutTimeMs(ts));
      if (at === undefined) return; // skipped: the schedule is catching up
      const heardPerf = performance.now() + (at - out.outputTime()) * 1000;
      hooks.scheduled(ts, heardPerf + performance.timeOrigin);
    };
    dec.onError = (e) => console.warn(`audio decoder: ${e.message}`);
  }
}
