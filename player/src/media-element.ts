// What the hls and mp4 modes share: a <video> element's figures (decoded/dropped frames, audio bytes, e2e latency) and controls.
import type { EngineEvents, EngineStats } from './engine.js';

interface ChromiumMediaCounters {
  webkitAudioDecodedByteCount?: number;
  webkitVideoDecodedByteCount?: number;
}

export function elementStats(video: HTMLVideoElement, wallclockNow: () => number | undefined): Partial<EngineStats> {
  const q = video.getVideoPlaybackQuality?.();
  const c = video as HTMLVideoElement & ChromiumMediaCounters;
  const wall = wallclockNow();
  const stats: Partial<EngineStats> = {
    framesDecoded: q?.totalVideoFrames ?? 0,
    framesDropped: q?.droppedVideoFrames ?? 0,
    framesShown: (q?.totalVideoFrames ?? 0) - (q?.droppedVideoFrames ?? 0),
    e2eLatencyMs: wall === undefined ? null : Math.round(Date.now() - wall),
    avSkewMs: null,
  };
  // Chromium counts decoded audio bytes: the only way a page can tell audio is being decoded by the element.
  if (c.webkitAudioDecodedByteCount !== undefined) stats.audioFramesDecoded = c.webkitAudioDecodedByteCount;
  return stats;
}

/** Plays, and if autoplay with sound is refused, plays muted and says how to unmute. */
export async function playElement(video: HTMLVideoElement, onMutedAutoplay: () => void): Promise<void> {
  try {
    await video.play();
  } catch (e) {
    if ((e as DOMException).name !== 'NotAllowedError') throw e;
    video.muted = true;
    await video.play();
    onMutedAutoplay();
  }
}

/** Buffered seconds ahead of the playhead. */
export function bufferedAhead(video: HTMLVideoElement): number {
  const b = video.buffered;
  for (let i = 0; i < b.length; i++) {
    if (video.currentTime >= b.start(i) - 0.1 && video.currentTime <= b.end(i)) return b.end(i) - video.currentTime;
  }
  return 0;
}

/**
 * The controls of a mode that plays through a <video> element (hls, mp4): the element does the
 * playing, pausing, seeking and volume; each mode only feeds it.
 */
export abstract class ElementEngine {
  constructor(
    protected readonly video: HTMLVideoElement,
    protected readonly url: string,
    protected readonly events: EngineEvents,
    protected readonly onMutedAutoplay: () => void,
  ) {}

  async pause(): Promise<void> {
    this.video.pause();
  }

  async resume(): Promise<void> {
    await this.video.play();
  }

  async seek(seconds: number): Promise<void> {
    this.video.currentTime = seconds;
  }

  setVolume(volume: number, muted: boolean): void {
    this.video.volume = volume;
    this.video.muted = muted;
  }

  position(): number {
    return this.video.currentTime;
  }
}
