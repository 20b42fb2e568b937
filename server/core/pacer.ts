// One shared timer that drives every paced sender, instead of a timer per reader.
// Due times are computed from each reader's start instant, so tick jitter never accumulates into drift.

export interface Paced {
  tick(): void;
}

export class Pacer {
  private readonly members = new Set<Paced>();
  private timer: NodeJS.Timeout | undefined;

  /** @param periodMs tick period; frames are sent at most this late (30 fps frames are 33 ms apart). */
  constructor(private readonly periodMs = 5) {}

  add(p: Paced): void {
    this.members.add(p);
    if (!this.timer) this.timer = setInterval(() => this.run(), this.periodMs);
  }

  delete(p: Paced): void {
    this.members.delete(p);
    if (this.members.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  get size(): number {
    return this.members.size;
  }

  stop(): void {
    this.members.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    for (const p of this.members) {
      try {
        p.tick();
      } catch {
        // One reader's failure must not stop the others; the reader's owner sees its own errors.
        this.members.delete(p);
      }
    }
  }
}
