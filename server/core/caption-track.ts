// A live path's caption track (path config `captions: true`): a T.140 text track the server adds to the path's stream, fed with cues posted to the API.
//
// Why a configured track, not one added when the first caption is posted: RTSP readers learn a
// stream's tracks once, from DESCRIBE, and a live stream's tracks are fixed while it runs (a new
// track would mean a new stream and every reader starting over). So a path that wants captions says
// so in its config, its stream carries the (silent) text track from the moment it goes ready, and
// a reader that SETs it up gets each cue as it is posted, with its clear when its duration is over.
//
// Timing: the track's RTP clock follows the server's wall clock (1000 Hz), and its sender reports
// map it onto the publisher's NTP clock (the offset between the publisher's SRs and when its packets
// arrive here), so a cue lands on the frame arriving when it was posted, as a reader's lip sync
// sees it, even when the publisher's clock is not ours.
import type { Track } from '../media/track.js';
import type { Stream } from './stream.js';
import { encodeT140, T140_CLOCK } from '../rtp/codecs/t140.js';
import { RtpSenderState } from '../rtp/sender-state.js';
import { parseRtcpCompound } from '../rtp/rtcp.js';
import { unixMsFromNtp } from '../rtp/ntp.js';

/** Ms between the caption track's sender reports (a new reader gets the latest at once). */
const SR_INTERVAL_MS = 1000;
/** Payload bytes of one cue (the text is cut at a character boundary beyond it). */
const MAX_CUE_BYTES = 1000;

/** The text track a captions path's stream gets after its source's tracks. */
export function captionTrack(id: number): Track {
  return { id, kind: 'text', codec: 'T140', clockRate: T140_CLOCK, payloadType: Math.min(127, 96 + id), name: 'Captions' };
}

export class CaptionTrack {
  private readonly sender: RtpSenderState;
  private readonly timer: ReturnType<typeof setInterval>;
  private clearTimer: ReturnType<typeof setTimeout> | undefined;
  private offsetMs = 0;

  constructor(
    private readonly stream: Stream,
    readonly track: Track,
  ) {
    this.sender = new RtpSenderState(track.payloadType, T140_CLOCK, 'tidecast-captions');
    this.timer = setInterval(() => this.report(), SR_INTERVAL_MS);
    this.timer.unref();
    this.report();
  }

  /**
   * A cue from now for `seconds`, sent to the track's readers at once, its clear when it ends (a
   * later cue replaces it and takes over the clear). False when the stream has ended.
   */
  add(text: string, seconds: number): boolean {
    if (this.stream.ended) return false;
    const now = Date.now();
    if (this.clearTimer) clearTimeout(this.clearTimer);
    this.send(encodeT140(text, MAX_CUE_BYTES), now);
    const end = now + seconds * 1000;
    this.clearTimer = setTimeout(() => {
      this.clearTimer = undefined;
      this.send(new Uint8Array(0), end);
    }, seconds * 1000);
    this.clearTimer.unref();
    return true;
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.clearTimer) clearTimeout(this.clearTimer);
    this.clearTimer = undefined;
  }

  private timestampAt(wallMs: number): number {
    return this.sender.timestampAt(Math.round(wallMs));
  }

  private send(payload: Uint8Array, wallMs: number): void {
    if (this.stream.ended) return this.stop();
    const timestamp = this.timestampAt(wallMs);
    const seq = this.sender.seq;
    // RFC 4103 §3: the marker bit on the first packet after an idle period: each cue stands alone.
    const data = this.sender.packet(payload, payload.length > 0, timestamp);
    this.stream.publish({ trackId: this.track.id, data, seq, timestamp, ssrc: this.sender.ssrc, keyStart: true });
  }

  private report(): void {
    if (this.stream.ended) return this.stop();
    this.offsetMs = publisherClockOffset(this.stream, this.track.id) ?? this.offsetMs;
    const now = Date.now();
    this.stream.publishRtcp(this.track.id, this.sender.senderReport(this.timestampAt(now), now + this.offsetMs), true);
  }
}

/**
 * Ms the publisher's NTP clock is ahead of ours: its latest sender report carried to its latest
 * packet, minus when that packet arrived. Undefined before the publisher sent a report.
 */
export function publisherClockOffset(stream: Stream, skip: number): number | undefined {
  for (const { trackId, data } of stream.senderReports()) {
    const track = stream.tracks[trackId];
    const last = stream.lastPacket(trackId);
    if (trackId === skip || !track || !last?.arrivalMs) continue;
    let sr;
    try {
      sr = parseRtcpCompound(data).find((p) => p.type === 'sr');
    } catch {
      continue; // a publisher's malformed report says nothing of its clock
    }
    if (!sr || sr.type !== 'sr') continue;
    const ntpMs = unixMsFromNtp(sr.ntpSeconds, sr.ntpFraction) + ((((last.timestamp - sr.rtpTimestamp) | 0) / track.clockRate) * 1000);
    return ntpMs - last.arrivalMs;
  }
  return undefined;
}

const byStream = new WeakMap<Stream, CaptionTrack>();

/** The caption track of a stream whose path has `captions: true`. */
export function captionTrackOf(stream: Stream): CaptionTrack | undefined {
  return byStream.get(stream);
}

/** The tracks of a captions path's stream: the source's, then the caption track. */
export function withCaptionTrack(tracks: Track[]): Track[] {
  return [...tracks, captionTrack(tracks.length)];
}

/** Starts feeding the caption track of a stream made with withCaptionTrack. */
export function startCaptions(stream: Stream): CaptionTrack {
  const c = new CaptionTrack(stream, stream.tracks[stream.tracks.length - 1]!);
  byStream.set(stream, c);
  return c;
}
