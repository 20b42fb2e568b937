// The subtitle overlay over the picture, and the clock that drives it in the modes with a <video>: the frames the element presents.
import type { CueSchedule } from './cue-schedule.js';

/** What a page shows subtitles in: the text as is (textContent, never markup), hidden when empty. */
export class CueOverlay {
  private shown = '';

  constructor(private readonly box: HTMLElement) {
    box.hidden = true;
  }

  get text(): string {
    return this.shown;
  }

  show(text: string): void {
    if (text === this.shown) return;
    this.shown = text;
    // Line breaks stay line breaks through the box's `white-space: pre-line`.
    this.box.textContent = text;
    this.box.hidden = text === '';
  }
}

interface FrameMetadata {
  mediaTime: number;
}
type VideoWithFrames = HTMLVideoElement & {
  requestVideoFrameCallback?(cb: (now: number, meta: FrameMetadata) => void): number;
  cancelVideoFrameCallback?(id: number): void;
};

/**
 * Shows, for each frame the video presents, the cues of `schedule()` at that frame's presentation
 * time (requestVideoFrameCallback's mediaTime; where the browser has none, currentTime on each
 * animation frame). A cue thus appears with the first frame at or after its start and goes with the
 * first at or after its end.
 */
export class VideoFrameCues {
  private id = 0;
  private stopped = false;
  /** While paused no frame is presented: cues loaded or chosen then are drawn on this slower tick. */
  private pausedTick: ReturnType<typeof setInterval> | undefined;
  private readonly video: VideoWithFrames;

  constructor(
    video: HTMLVideoElement,
    private readonly overlay: CueOverlay,
    private readonly schedule: () => CueSchedule | undefined,
  ) {
    this.video = video as VideoWithFrames;
  }

  start(): void {
    const v = this.video;
    this.pausedTick = setInterval(() => {
      if (v.paused && !v.seeking) this.redraw();
    }, 250);
    if (v.requestVideoFrameCallback) {
      const onFrame = (_now: number, meta: FrameMetadata): void => {
        if (this.stopped) return;
        this.draw(meta.mediaTime);
        this.id = v.requestVideoFrameCallback!(onFrame);
      };
      this.id = v.requestVideoFrameCallback(onFrame);
    } else {
      const onTick = (): void => {
        if (this.stopped) return;
        this.draw(v.currentTime);
        this.id = requestAnimationFrame(onTick);
      };
      this.id = requestAnimationFrame(onTick);
    }
  }

  /** Draws again at the frame on screen (a subtitle choice made while paused). */
  redraw(): void {
    this.draw(this.video.currentTime);
  }

  private draw(t: number): void {
    this.overlay.show(this.schedule()?.textAt(t) ?? '');
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.pausedTick);
    if (this.video.cancelVideoFrameCallback) this.video.cancelVideoFrameCallback(this.id);
    else cancelAnimationFrame(this.id);
    this.overlay.show('');
  }
}
