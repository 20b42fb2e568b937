// What a session playing a recording by time keeps: the window it plays and the Range form its client speaks.
import type { RecordedWindow } from './window.js';

export interface RecordedState {
  window: RecordedWindow;
  /** The client asked with Range: clock= (ONVIF): answers give clock times back; otherwise npt of the window. */
  clockForm: boolean;
}
