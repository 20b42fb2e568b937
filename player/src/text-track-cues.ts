// The hls mode's subtitles: the cues of the text track hls.js (or native HLS) fills, read into a schedule the page draws itself.
import { CueSchedule, webvttPlainText, type Cue } from './cue-schedule.js';

const isSubtitles = (t: TextTrack): boolean => t.kind === 'subtitles' || t.kind === 'captions';

/**
 * The cues of the video's selected subtitle track (the one not 'disabled'). A track the browser
 * would render itself ('showing') is set to 'hidden': its cues still load, the page draws them.
 */
export class TextTrackCues {
  private track: TextTrack | undefined;
  private count = -1;
  private readonly schedule = new CueSchedule();

  constructor(private readonly video: HTMLVideoElement) {}

  /** The schedule of the selected track, read again when its cue list grew or shrank; undefined when none is selected. */
  current(): CueSchedule | undefined {
    const tracks = Array.from(this.video.textTracks).filter(isSubtitles);
    for (const t of tracks) if (t.mode === 'showing') t.mode = 'hidden';
    const track = tracks.find((t) => t.mode === 'hidden');
    if (!track) {
      this.track = undefined;
      return undefined;
    }
    const n = track.cues?.length ?? 0;
    if (track !== this.track || n !== this.count) {
      this.track = track;
      this.count = n;
      this.schedule.replace(cuesOf(track));
    }
    return this.schedule;
  }
}

function cuesOf(track: TextTrack): Cue[] {
  const out: Cue[] = [];
  for (const c of Array.from(track.cues ?? [])) {
    const text = 'text' in c ? webvttPlainText(String((c as VTTCue).text)) : '';
    if (text !== '') out.push({ start: c.startTime, end: c.endTime, text });
  }
  return out;
}
