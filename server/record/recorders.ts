// Every recording of the server: a Recorder per ready path whose settings say record, started and stopped with
// the path's stream (a publisher that comes back starts a new segment), restarted when a reload changes them;
// retention deletes old segments; the listing reads what is on disk.
import type { PathManager } from '../core/path-manager.js';
import type { Logger } from '../log.js';
import type { RecordSettings } from '../config-record.js';
import { Recorder, type SegmentDone } from './recorder.js';
import { deleteOldSegments } from './retention.js';
import { segmentInfo } from './segment-info.js';

/** Retention runs this often (and at start). */
const RETENTION_EVERY_MS = 60_000;

export interface RecordingsConfig {
  /** The settings of a path (its keys over the top level), or undefined for a name no config serves. */
  settingsOf(path: string): RecordSettings | undefined;
  /** Every recordPath template in use (the top-level one and those of paths), with its retention. */
  templates(): { template: string; deleteAfter: number }[];
}

export class Recorders {
  private readonly byPath = new Map<string, Recorder>();
  private unsubscribe: (() => void) | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Closed segments still being read for their hook. */
  private readonly completing = new Set<Promise<void>>();

  constructor(
    private readonly paths: PathManager,
    private config: RecordingsConfig,
    private readonly log: Logger,
    private readonly segmentComplete: (path: string, segment: { file: string; start: Date; duration: number }) => void,
  ) {}

  start(): void {
    this.unsubscribe = this.paths.events.on({
      ready: (i) => this.startPath(i.path),
      notReady: (i) => void this.stopPath(i.path, 'the path lost its source'),
    });
    for (const r of this.paths.events.readyPaths()) this.startPath(r.path);
    this.timer = setInterval(() => void this.retention(), RETENTION_EVERY_MS);
    this.timer.unref();
    void this.retention();
  }

  /** A reload: recorders whose settings changed start again with the new ones. */
  reconfigure(config: RecordingsConfig): void {
    this.config = config;
    for (const r of this.paths.events.readyPaths()) {
      const rec = this.byPath.get(r.path);
      const next = config.settingsOf(r.path);
      if (rec && JSON.stringify(rec.settings) === JSON.stringify(next)) continue;
      void this.stopPath(r.path, 'the config changed').then(() => this.startPath(r.path));
    }
  }

  /** The templates the listing and retention look at. */
  templates(): { template: string; deleteAfter: number }[] {
    return this.config.templates();
  }

  partDurationOf(path: string): number {
    return this.config.settingsOf(path)?.recordPartDuration ?? 1;
  }

  /** Files being written now (retention leaves them). */
  openFiles(): Set<string> {
    return new Set([...this.byPath.values()].map((r) => r.currentFile).filter((f): f is string => f !== undefined));
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.byPath.keys()].map((p) => this.stopPath(p, 'server shutting down')));
    // The last segments' hooks run before the hooks stop.
    await Promise.all([...this.completing]);
  }

  private startPath(path: string): void {
    const s = this.config.settingsOf(path);
    if (!s?.record || this.byPath.get(path)?.active || !this.paths.hasLivePath(path)) return;
    const stream = this.paths.livePath(path).stream;
    if (!stream) return;
    const rec = new Recorder(path, stream, s, {
      log: this.log,
      counters: this.paths.counters,
      clients: this.paths.clients,
      segmentClosed: (d) => {
        const p = this.closed(d).finally(() => this.completing.delete(p));
        this.completing.add(p);
      },
    });
    this.byPath.set(path, rec);
    this.log.info({ path }, `/${path}: recording to ${s.recordPath}`);
    rec.start();
  }

  private async stopPath(path: string, reason: string): Promise<void> {
    const rec = this.byPath.get(path);
    if (!rec) return;
    this.byPath.delete(path);
    await rec.stop(reason);
  }

  private async closed(d: SegmentDone): Promise<void> {
    try {
      const info = await segmentInfo(d.file, d.startMs);
      if (!info) return;
      this.log.info({ path: d.path, file: d.file, duration: info.duration }, `/${d.path}: segment complete: ${d.file} (${info.duration.toFixed(3)} s)`);
      this.segmentComplete(d.path, { file: d.file, start: new Date(info.startMs), duration: info.duration });
    } catch (e) {
      this.log.warn({ path: d.path, file: d.file }, `/${d.path}: cannot read the closed segment ${d.file}: ${(e as Error).message}`);
    }
  }

  private async retention(): Promise<void> {
    try {
      await deleteOldSegments(this.templates(), this.openFiles(), this.log, (path) => {
        // Only the recordings of paths that record now: turning record off (or never on) deletes nothing.
        const st = this.config.settingsOf(path);
        return st?.record ? st.recordDeleteAfter : undefined;
      });
    } catch (e) {
      this.log.warn({}, `recording retention failed: ${(e as Error).message}`);
    }
  }
}
