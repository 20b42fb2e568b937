// What a session playing a recording by time keeps: the window it plays and the Range form its client speaks.
import type { SeekableMedia } from '../../core/seekable-media.js';
import type { TrickView } from '../../core/trick-media.js';

/** A recording loaded for one session (recorded/window.ts loads it). */
export interface RecordedWindow {
  /** What the session's playback plays: the clip itself at Scale 1, else its key-frame view. */
  media: SeekableMedia;
  /** The clip loaded (its video key frames alone when Scale is not 1); its npt 0 is `wallStartMs`. */
  clip: SeekableMedia;
  /** Unix ms of the clip's npt 0: the presentation of its first key frame. */
  wallStartMs: number;
  /** The Scale applied (1 when the recording has no video to play by key frames). */
  scale: number;
  view: TrickView | undefined;
  /** recordPlaybackMaxBytes cut the clip before the recorded span ended: another window follows (next-window.ts). */
  truncated: boolean;
}

export interface RecordedState {
  window: RecordedWindow;
  /** The client asked with Range: clock= (ONVIF): answers give clock times back; otherwise npt of the window. */
  clockForm: boolean;
}
