// One live stream recorded to disk: an access-unit reader (core/au-view.ts) that muxes fragmented MP4 segments,
// starting at a key frame, one fragment (moof+mdat, after a prft with its wall clock) per part, a new file after
// recordSegmentDuration at the next key frame. Disk errors stop the segment, never the stream.
import type { AuReader, TimedUnit } from '../core/au-view.js';
import type { Stream } from '../core/stream.js';
import { BitrateMeter, type ClientRegistry } from '../core/clients.js';
import type { Counters } from '../core/counters.js';
import type { Logger } from '../log.js';
import { Fmp4Muxer } from '../mux/fmp4-muxer.js';
import type { RecordSettings } from '../config-record.js';
import { segmentFile } from './path-template.js';
import { SegmentFile } from './segment-file.js';
import { fragmentTimes } from './fragment-times.js';
import { writePrft } from './prft.js';
import { writeTrackBox } from './track-box.js';

/** After a disk error, the next segment is tried this much later (at a key frame). */
const RETRY_MS = 5000;
/** A disk error of a path is logged at most this often (each is counted). */
const LOG_EVERY_MS = 30_000;

export interface SegmentDone {
  path: string;
  file: string;
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
  muxer: Fmp4Muxer;
  /** Stream seconds of the first unit. */
  startSec: number;
  /** Per track: seconds added by the muxer (file time = stream time + shift). */
  shiftSec: number;
  /** Per track: recent [muxed dts, wall ms at that dts] to stamp fragments with. */
  walls: Map<number, [number, number][]>;
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
    const mux = seg.muxer;
    if (!mux.carries(u.trackId)) return;
    const dts = u.au.dts + Math.round(seg.shiftSec * track.clockRate);
    const walls = seg.walls.get(u.trackId)!;
    walls.push([dts, u.wallMs - ((u.au.pts - u.au.dts) / track.clockRate) * 1000]);
    if (walls.length > 2048) walls.splice(0, 1024);
    this.write(seg, mux.push(u.trackId, u.au).map((c) => c.bytes));
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
    // Named after the wall clock of its first decode time, as its first prft says.
    const file = segmentFile(this.settings.recordPath, this.path, new Date(u.wallMs - ((u.au.pts - u.au.dts) / clock) * 1000), '.mp4');
    const shiftSec = 0.5 - u.au.dts / clock;
    const muxer = new Fmp4Muxer(this.stream.tracks, { fragmentSeconds: this.settings.recordPartDuration, shiftSeconds: shiftSec });
    if (muxer.tracks.length === 0) {
      this.error('codec', new Error('no track of this stream can go in an MP4 file'));
      this.retryAt = Infinity; // Not this stream: the next publisher gets a new recorder.
      return;
    }
    const seg: Segment = { file: new SegmentFile(file, (reason, e) => this.fileError(seg, reason, e)), muxer, startSec: sec, shiftSec, walls: new Map() };
    for (const t of muxer.tracks) seg.walls.set(t.id, []);
    this.seg = seg;
    this.append(seg, [muxer.init, writeTrackBox(muxer.tracks)]);
    this.deps.log.info({ path: this.path, file }, `/${this.path}: recording segment ${file}`);
  }

  /** Fragments out of the muxer: each after its prft (source wall clock of its first sample). */
  private write(seg: Segment, fragments: Uint8Array[]): void {
    for (const f of fragments) {
      const t = fragmentTimes(f)[0];
      let prft: Uint8Array[] = [];
      if (t) {
        const walls = seg.walls.get(t.trackId - 1) ?? [];
        const clock = this.stream.tracks[t.trackId - 1]?.clockRate ?? 90000;
        let i = walls.length - 1;
        while (i > 0 && walls[i]![0] > t.baseDecodeTime) i--;
        const w = walls[i];
        if (w) prft = [writePrft(t.trackId, w[1] + ((t.baseDecodeTime - w[0]) / clock) * 1000, t.baseDecodeTime)];
        if (i > 0) walls.splice(0, i);
      }
      this.append(seg, [...prft, f]);
    }
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
    this.write(seg, seg.muxer.flush().map((c) => c.bytes));
    const p = seg.file.close().then(() => {
      if (!seg.file.failed) this.deps.segmentClosed({ path: this.path, file: seg.file.file });
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
