// Records, in the page, every cue that becomes active on any of the video's text tracks, with video.currentTime then.
import type { Page } from 'playwright-core';

export interface CueSeen {
  text: string;
  start: number;
  end: number;
  /** video.currentTime when cuechange made the cue active. */
  at: number;
}

/** Shows every text track (listeners added as hls.js adds tracks) and records its active cues in window.cuesSeen. */
export const WATCH_CUES = `(() => {
  const v = document.getElementById('v');
  window.cuesSeen = [];
  const watch = (t) => {
    if (t.__watched) return;
    t.__watched = true;
    t.mode = 'showing';
    t.addEventListener('cuechange', () => {
      for (const c of Array.from(t.activeCues || [])) {
        if (!window.cuesSeen.some((s) => s.text === c.text && s.start === c.startTime)) window.cuesSeen.push({ text: c.text, start: c.startTime, end: c.endTime, at: v.currentTime });
      }
    });
  };
  for (const t of Array.from(v.textTracks)) watch(t);
  v.textTracks.addEventListener('addtrack', (e) => watch(e.track));
})()`;

export async function cuesSeen(p: Page): Promise<CueSeen[]> {
  return (await p.evaluate('window.cuesSeen || []')) as CueSeen[];
}
