// Timers of a playing relay session: keepalives at half the session timeout, and the read timeout that ends a session gone silent.

const DEFAULT_READ_TIMEOUT_MS = 10_000;

export interface SessionTimerHooks {
  /** Time to keep the session alive (the client picks GET_PARAMETER or OPTIONS). */
  keepalive(): void;
  /** No RTP for `readTimeoutMs`: the upstream is gone even if its connection is not. */
  readTimeout(): void;
}

export class SessionTimers {
  private keepaliveTimer: ReturnType<typeof setInterval> | undefined;
  private readTimer: ReturnType<typeof setInterval> | undefined;
  private lastPacketAt = 0;
  readonly readTimeoutMs: number;

  /** `readTimeoutMs`: RtspClientOptions.readTimeoutMs, default 10 s. */
  constructor(readTimeoutMs: number | undefined, private readonly hooks: SessionTimerHooks) {
    this.readTimeoutMs = readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  }

  /** An RTP packet arrived: the read timeout counts from here. */
  packetArrived(): void {
    this.lastPacketAt = performance.now();
  }

  start(sessionTimeoutS: number): void {
    this.lastPacketAt = performance.now();
    // ffmpeg and VLC keep alive at half the session timeout; GET_PARAMETER only when Public lists it.
    this.keepaliveTimer = setInterval(() => this.hooks.keepalive(), (sessionTimeoutS * 1000) / 2);
    this.keepaliveTimer.unref();
    this.readTimer = setInterval(() => {
      if (performance.now() - this.lastPacketAt >= this.readTimeoutMs) this.hooks.readTimeout();
    }, Math.max(50, Math.min(1000, this.readTimeoutMs / 4)));
    this.readTimer.unref();
  }

  stop(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    if (this.readTimer) clearInterval(this.readTimer);
    this.keepaliveTimer = undefined;
    this.readTimer = undefined;
  }
}
