// Paths with `multicast: true` or `sap: true`: their multicast sender runs whenever the path does, RTSP readers or not.
import type { Config, PathConfig } from '../config.js';
import { compilePathRegex, isPathRegex, matchPathRegex } from '../config-pattern.js';
import type { PathManager } from '../core/path-manager.js';
import type { Stream } from '../core/stream.js';
import type { Logger } from '../log.js';
import type { Track } from '../media/track.js';
import { describedAacTrack } from '../sdp/aac-config.js';
import type { MulticastHub, MulticastMember, StreamMulticast } from './multicast-sender.js';

/** What a path's config asks of its multicast side. */
export interface PathMulticastSettings {
  multicast: boolean;
  sap: boolean;
}

/** A path's `multicast`/`sap` keys: its own entry, else the first ~regex entry that matches (as recording does). */
export function multicastSettingsOf(config: Config, path: string): PathMulticastSettings {
  const own = (p: PathConfig | undefined): PathMulticastSettings => ({ multicast: p?.multicast === true || p?.sap === true, sap: p?.sap === true });
  if (Object.hasOwn(config.paths, path)) return own(config.paths[path]);
  for (const [name, p] of Object.entries(config.paths)) {
    if (isPathRegex(name) && matchPathRegex(compilePathRegex(name), path)) return own(p);
  }
  return own(undefined);
}

/** A running multicast path, as SAP and GET /<path>.sdp describe it. */
export interface RunningMulticast {
  path: string;
  stream: Stream;
  /** The tracks sent (AAC configs completed as DESCRIBE gives them), each to groups[track.id]. */
  tracks: Track[];
  groups: readonly (string | undefined)[];
  rtpPort: number;
  ttl: number;
  sap: boolean;
  /** Bumped at every start: a new publisher is a new version of the announcement. */
  version: number;
}

interface Entry extends RunningMulticast {
  sender: StreamMulticast;
  member: MulticastMember;
}

export interface MulticastPathListener {
  started(m: RunningMulticast): void;
  stopped(m: RunningMulticast, why: string): void;
}

export class MulticastPaths {
  private readonly running = new Map<string, Entry>();
  private readonly listeners: MulticastPathListener[] = [];
  private unsubscribe: (() => void) | undefined;
  private starts = 0;

  constructor(
    private readonly hub: MulticastHub,
    private readonly paths: PathManager,
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  on(l: MulticastPathListener): void {
    this.listeners.push(l);
  }

  start(): void {
    this.unsubscribe = this.paths.events.on({
      ready: (i) => void this.startPath(i.path),
      notReady: (i) => this.stopPath(i.path, 'the path lost its source'),
    });
    this.reconfigure();
  }

  /** After a reload (and at start): every ready path's sender runs exactly when its keys say so. */
  reconfigure(): void {
    const ready = new Set(this.paths.events.readyPaths().map((r) => r.path));
    for (const [path, e] of this.running) {
      const s = multicastSettingsOf(this.config, path);
      if (!ready.has(path) || !s.multicast) this.stopPath(path, 'the config no longer asks for it');
      else if (s.sap !== e.sap) {
        this.stopPath(path, 'its sap key changed');
        void this.startPath(path);
      }
    }
    for (const path of ready) if (!this.running.has(path)) void this.startPath(path);
  }

  /** The path's running multicast, when it has one. */
  get(path: string): RunningMulticast | undefined {
    return this.running.get(path);
  }

  all(): RunningMulticast[] {
    return [...this.running.values()];
  }

  /** Server shutdown: every path stops (SAP sends its deletions), before the hub sends its BYEs. */
  close(why: string): void {
    this.unsubscribe?.();
    for (const path of [...this.running.keys()]) this.stopPath(path, why);
  }

  private async startPath(path: string): Promise<void> {
    const settings = multicastSettingsOf(this.config, path);
    if (!settings.multicast || this.running.has(path)) return;
    const stream = this.paths.liveStreams().find((s) => s.name === path);
    if (!stream || stream.ended) return;
    try {
      await this.hub.open();
    } catch (e) {
      this.log.error({ path, err: (e as Error).message }, `/${path}: cannot open the multicast sockets: ${(e as Error).message}`);
      return;
    }
    // The path may have stopped, or started elsewhere, while the sockets opened.
    if (stream.ended || this.running.has(path)) return;
    const sender = this.hub.senderOf(stream);
    const tracks = stream.tracks.map(describedAacTrack);
    // Indexed by track id, as the SDP builder and the sender read them.
    const groups: (string | undefined)[] = [];
    for (const t of tracks) groups[t.id] = sender.groupFor(t.id);
    if (tracks.some((t) => groups[t.id] === undefined)) {
      this.log.warn({ path, range: this.config.multicastIPRange }, `/${path}: every multicast group of ${this.config.multicastIPRange} is in use; it is not sent by multicast (raise multicastIPRange)`);
      if (sender.readers === 0) sender.stop('no group for every track');
      return;
    }
    const member: MulticastMember = { end: (reason) => this.stopPath(path, `source ended: ${reason}`) };
    const entry: Entry = { path, stream, tracks, groups, rtpPort: this.hub.rtpPort, ttl: this.hub.ttl, sap: settings.sap, version: ++this.starts, sender, member };
    this.running.set(path, entry);
    sender.hold(member);
    sender.join(member, tracks.map((t) => t.id)).commit();
    this.log.info({ path, groups, port: this.hub.rtpPort, sap: settings.sap }, `/${path}: sent to multicast groups ${groups.filter(Boolean).join(', ')} port ${this.hub.rtpPort} while it runs`);
    for (const l of this.listeners) l.started(entry);
  }

  private stopPath(path: string, why: string): void {
    const e = this.running.get(path);
    if (!e) return;
    this.running.delete(path);
    // Announcements are withdrawn while the groups still carry the stream's last packets.
    for (const l of this.listeners) l.stopped(e, why);
    e.sender.release(e.member);
  }
}
