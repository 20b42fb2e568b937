// Paths becoming ready (a source feeds them) and not ready (it went away): the events hooks (runOnReady/runOnNotReady) listen to.

/** What feeds a ready path. */
export interface PathSourceInfo {
  /** 'rtspSession' (a client's RECORD), 'relay', 'ffmpeg', 'runOnDemand'. */
  type: string;
  /** The RTSP session id of the publisher, or the relay's own id. */
  id: string;
  address?: string;
  port?: number;
  /** The publisher's URL query, without '?'. */
  query?: string;
}

export interface PathReadyInfo {
  path: string;
  source: PathSourceInfo;
}

export interface PathEventListener {
  ready?(info: PathReadyInfo): void;
  /** The same info as the matching ready event. */
  notReady?(info: PathReadyInfo): void;
}

export class PathEvents {
  private readonly listeners: PathEventListener[] = [];
  private readonly ready = new Map<string, PathReadyInfo>();

  /** Listen to paths becoming ready and not ready; returns an unsubscribe. */
  on(l: PathEventListener): () => void {
    this.listeners.push(l);
    return () => {
      const i = this.listeners.indexOf(l);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** The paths ready now and what feeds each. */
  readyPaths(): PathReadyInfo[] {
    return [...this.ready.values()];
  }

  emitReady(info: PathReadyInfo): void {
    this.ready.set(info.path, info);
    for (const l of [...this.listeners]) guard(() => l.ready?.(info));
  }

  emitNotReady(path: string): void {
    const info = this.ready.get(path);
    if (!info) return;
    this.ready.delete(path);
    for (const l of [...this.listeners]) guard(() => l.notReady?.(info));
  }
}

/** A listener's bug never reaches the path that emitted the event. */
function guard(f: () => void): void {
  try {
    f();
  } catch {
    /* listeners log their own failures */
  }
}
