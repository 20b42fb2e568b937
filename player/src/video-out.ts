// Canvas output: decoded frames wait in presentation order; each animation frame asks the A/V sync whether the head is due.
import type { FrameVerdict } from './av-sync.js';

export interface QueuedFrame {
  frame: VideoFrame;
  /** RTP timestamp (32-bit) of the frame: the A/V sync maps it to the sender wallclock. */
  rtpTimestamp: number;
}

/** Frames queued beyond this pile up only behind a stalled clock: the oldest are dropped. */
const MAX_QUEUE = 90;

export interface VideoOutHooks {
  /** Called once per animation frame before any decision (the engine updates the audio position). */
  beforeRender(perfNow: number): void;
  decide(rtpTimestamp: number, perfNow: number): FrameVerdict;
  shown(frame: VideoFrame, rtpTimestamp: number, perfNow: number): void;
}

export class VideoOut {
  private queue: QueuedFrame[] = [];
  private readonly ctx2d: CanvasRenderingContext2D;
  private raf = 0;
  private stopped = false;
  framesShown = 0;
  framesDropped = 0;
  /** Set while paused: frames stay queued, the picture stays. */
  frozen = false;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly hooks: VideoOutHooks,
  ) {
    const c = canvas.getContext('2d', { alpha: false });
    if (!c) throw new Error('this browser gives no 2D canvas context');
    this.ctx2d = c;
    const tick = (): void => {
      if (this.stopped) return;
      // Now, not the callback's timestamp: that is the frame's begin time, which after a long task
      // on the main thread lies that far in the past (measured 215 ms after a 207 ms stall), and a
      // frame judged due then is drawn that much later than the decision assumed.
      this.render(performance.now());
      this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }

  get queued(): number {
    return this.queue.length;
  }

  push(f: QueuedFrame): void {
    this.queue.push(f);
    while (this.queue.length > MAX_QUEUE) {
      this.queue.shift()!.frame.close();
      this.framesDropped++;
    }
  }

  private render(perfNow: number): void {
    if (this.frozen || this.queue.length === 0) return;
    this.hooks.beforeRender(perfNow);
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const v = this.hooks.decide(head.rtpTimestamp, perfNow);
      // PLAYER.md: hold if early by > 5 ms, drop if late by > one frame interval, else show.
      if (v.action === 'hold') return;
      this.queue.shift();
      if (v.action === 'drop') {
        head.frame.close();
        this.framesDropped++;
        continue;
      }
      this.draw(head, perfNow);
      return;
    }
  }

  private draw(f: QueuedFrame, perfNow: number): void {
    const { canvas } = this;
    if (canvas.width !== f.frame.displayWidth || canvas.height !== f.frame.displayHeight) {
      canvas.width = f.frame.displayWidth;
      canvas.height = f.frame.displayHeight;
    }
    this.ctx2d.drawImage(f.frame, 0, 0, canvas.width, canvas.height);
    this.framesShown++;
    this.hooks.shown(f.frame, f.rtpTimestamp, perfNow);
    f.frame.close();
  }

  /** Drops every queued frame (seek, reconnect); the last picture stays on the canvas. */
  flush(): void {
    for (const f of this.queue) f.frame.close();
    this.queue = [];
  }

  stop(): void {
    this.stopped = true;
    cancelAnimationFrame(this.raf);
    this.flush();
  }
}
