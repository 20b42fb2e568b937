// How soon GStreamer's rtpbin settles lip sync on Tidecast's files (rtspsrc over UDP and TCP): the video pts of its last A/V correction, PASS/MISS against 3 s.
//
// rtpbin aligns the tracks only from an RTCP SR that arrives after its jitter buffer started output
// (rtspsrc latency 2 s, later on a loaded machine); the server's early SRs (one a second after PLAY)
// are what keeps this short. A real-time figure, so a benchmark: test/interop/gstreamer.test.ts
// checks the decode itself. Usage: npm run bench:gst-lipsync [-- --runs 3]
import { cutClips } from '../test/helpers/clips.js';
import { gstRead, lipSyncCorrections } from '../test/helpers/gst-read.js';
import { startTestServer } from '../test/helpers/server.js';
import { atMost, verdictTable } from './lib/verdict.js';

const CLIP_S = 8;
const FILES = ['sample.mp4', 'sample.mkv', 'sample.ts'];
const CASES: [string, 'udp' | 'tcp'][] = [
  ['sample.mp4', 'udp'],
  ['sample.mp4', 'tcp'],
  ['sample.mkv', 'udp'],
  ['sample.mkv', 'tcp'],
  ['sample.ts', 'tcp'],
];
const TARGET_S = 3;

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;

const clips = cutClips(FILES, CLIP_S);
const srv = await startTestServer({ mediaDir: clips.dir });
try {
  const worst = new Map<string, number>();
  for (let run = 0; run < runs; run++) {
    // All five at once, as a loaded server sees them.
    const results = await Promise.all(
      CASES.map(async ([file, protocol]) => {
        const url = srv.url(`clip-${file}`);
        const d = await gstRead(url, { protocols: protocol, videoFrames: clips.videoFrames.get(`clip-${file}`)!, audioSeconds: CLIP_S - 0.05, deadlineS: 60 });
        const settledAt = Math.max(0, ...lipSyncCorrections(d).map((c) => c.atVideoPts));
        return { label: `${file} ${protocol}`, settledAt, corrections: lipSyncCorrections(d).length };
      }),
    );
    for (const r of results) {
      console.log(`run ${run + 1}: ${r.label}: last correction at video pts ${r.settledAt.toFixed(2)} s (${r.corrections} corrections)`);
      worst.set(r.label, Math.max(worst.get(r.label) ?? 0, r.settledAt));
    }
  }
  console.log();
  console.log(verdictTable([...worst].map(([label, s]) => atMost(`lip sync settled, video pts s (worst of ${runs}), ${label}`, s, TARGET_S, 2))));
} finally {
  await srv.close();
  clips.remove();
}
