// One live stream recorded to disk: an access-unit reader (core/au-view.ts) that muxes fragmented MP4 segments,
// starting at a key frame, one fragment (moof+mdat, after a prft with its wall clock) per part, a new file after
// recordSegmentDuration at the next key frame. Disk errors stop the segment, never the stream.
import type { AuReader, TimedUnit } from '../core/au-view.js';
import type { Stream } from '../core/stream.js';
import { BitrateMeter, type ClientRegistry } from '../core/clients.js';
import type { Counters } from '../core/counters.js';
import type { Logger } from '../log.js';
import type { RecordSettings } from '../config-record.js';
import { segmentFile } from './path-template.js';
import { SegmentFile } from './segment-file.js';
import { Fmp4Parts, TsParts, type PartMuxer } from './part-muxer.js';

/** After a disk error, the next segment is tried this much later (at a key frame). */
const RETRY_MS = 5000;
/** A disk error of a path is logged at most this often (each is counted). */
const LOG_EVERY_MS = 30_000;

export interface SegmentDone {
  path: string;
  file: string;
  /** Unix ms its name gives (an MPEG-TS segment's only wall clock). */
  startMs: number;
}

export interface RecorderDeps {
  log: Logger;
  counters: Counters;
  clients: ClientRegistry;
  /** A segment was closed (its file has every part on disk). */
  segmentClosed(done: SegmentDone): void;
}

interface Segment {
  file: SegmentFile;
  /** Unix ms of its first decode time: what its name says. */
  startMs: number;
  parts: PartMuxer;
  /** Stream seconds of the first unit. */
  startSec: number;
}

export class Recorder implements AuReader {
  private seg: Segment | undefined;
  private retryAt = 0;
  private lastLogMs = -Infinity;
  private stopped = false;
  private bytes = 0;
  private readonly meter = new BitrateMeter();
  private readonly since = new Date().toISOString();
  private readonly removeClient: () => void;
  private readonly videoId: number;
  private readonly closing = new Set<Promise<void>>();

  constructor(
    readonly path: string,
    readonly stream: Stream,
    readonly settings: RecordSettings,
    private readonly deps: RecorderDeps,
  ) {
    this.videoId = stream.tracks.find((t) => t.kind === 'video')?.id ?? -1;
    const id = deps.clients.newId('rec');
    this.removeClient = deps.clients.add(id, {
      snapshot: () => ({
        id, role: 'reader', protocol: 'recording', path, since: this.since, bytes: this.bytes,
        bitrate: this.meter.rate(this.bytes), state: this.seg ? 'recording' : 'waiting',
      }),
      kick: (reason) => void this.stop(`kicked: ${reason}`),
    });
  }

  /** False once stopped (the stream ended, a kick, a reload). */
  get active(): boolean {
    return !this.stopped;
  }

  /** The segment being written, if any. */
  get currentFile(): string | undefined {
    return this.seg?.file.file;
  }

  start(): void {
    for (const u of this.stream.attachAu(this)) this.deliverAu(u);
  }

  deliverAu(u: TimedUnit): void {
    if (this.stopped) return;
    const track = this.stream.tracks[u.trackId];
    if (!track) return;
    // Cuts are decided on presentation times: exact from the RTP timestamps (decode times are estimated).
    const sec = u.au.pts / track.clockRate;
    const cutPoint = this.videoId < 0 || (u.trackId === this.videoId && u.au.key);
    if (this.seg && cutPoint && sec - this.seg.startSec >= this.settings.recordSegmentDuration - 0.001) this.closeSegment();
    if (!this.seg) {
      if (!cutPoint || Date.now() < this.retryAt) return;
      this.openSegment(u, sec);
      if (!this.seg) return;
    }
    const seg = this.seg;
    if (!seg.parts.carries(u.trackId)) return;
    for (const part of seg.parts.push(u.trackId, u.au, u.wallMs)) this.append(seg, part);
  }

  end(reason: string): void {
    void this.stop(reason);
  }

  /** Closes the segment (every part reaches the disk) and leaves the stream. */
  async stop(reason: string): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.stream.detachAu(this);
      this.closeSegment();
      this.removeClient();
      this.deps.log.debug({ path: this.path, reason }, `/${this.path}: recording stopped: ${reason}`);
    }
    await Promise.all([...this.closing]);
  }

  private openSegment(u: TimedUnit, sec: number): void {
    const clock = this.stream.tracks[u.trackId]!.clockRate;
    const ts = this.settings.recordFormat === 'mpegts';
    // Named after the wall clock of its first decode time, as its first prft says (a TS segment's only clock).
    const startMs = u.wallMs - ((u.au.pts - u.au.dts) / clock) * 1000;
    const file = segmentFile(this.settings.recordPath, this.path, new Date(startMs), ts ? '.ts' : '.mp4');
    const startSec = u.au.dts / clock;
    const part = this.settings.recordPartDuration;
    const parts = ts ? new TsParts(this.stream.tracks, part, startSec) : new Fmp4Parts(this.stream.tracks, part, startSec);
    if (parts.tracks.length === 0) {
      this.error('codec', new Error(`no track of this stream can go in ${ts ? 'an MPEG-TS' : 'an MP4'} file`));
      this.retryAt = Infinity; // Not this stream: the next publisher gets a new recorder.
      return;
    }
    const seg: Segment = { file: new SegmentFile(file, (reason, e) => this.fileError(seg, reason, e)), startMs, parts, startSec: sec };
    this.seg = seg;
    this.append(seg, parts.header());
    this.deps.log.info({ path: this.path, file }, `/${this.path}: recording segment ${file}`);
  }

  private append(seg: Segment, parts: Uint8Array[]): void {
    const n = parts.reduce((a, p) => a + p.length, 0);
    seg.file.append(parts);
    this.bytes += n;
    this.deps.counters.inc('recorder_bytes', { path: this.path }, n);
  }

  private closeSegment(): void {
    const seg = this.seg;
    if (!seg) return;
    this.seg = undefined;
    for (const part of seg.parts.flush()) this.append(seg, part);
    const p = seg.file.close().then(() => {
      if (!seg.file.failed) this.deps.segmentClosed({ path: this.path, file: seg.file.file, startMs: seg.startMs });
    });
    this.closing.add(p);
    void p.finally(() => this.closing.delete(p));
  }

  private fileError(seg: Segment, reason: string, e: unknown): void {
    if (this.seg === seg) this.seg = undefined;
    this.error(reason, e, seg.file.file);
  }

  /** Counted every time, logged at most every LOG_EVERY_MS; the next segment is tried later. */
  private error(reason: string, e: unknown, file?: string): void {
    this.retryAt = Date.now() + RETRY_MS;
    this.deps.counters.inc('recorder_errors', { path: this.path, reason });
    const now = Date.now();
    if (now - this.lastLogMs < LOG_EVERY_MS) return;
    this.lastLogMs = now;
    const msg = (e as Error).message;
    this.deps.log.error({ path: this.path, reason, file }, `/${this.path}: recording failed (${reason}): ${msg}; the live stream goes on, retrying in ${RETRY_MS / 1000} s`);
  }
}
