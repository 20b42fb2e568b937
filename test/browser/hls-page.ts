// A test page for hls.js on http://localhost (a secure context, another origin than Tidecast): low-latency mode, part loads counted.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';

const HLS_JS = resolve(import.meta.dirname, '../../node_modules/hls.js/dist/hls.min.js');

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>hls.js LL-HLS</title></head>
<body style="margin:0;background:#000">
<video id="v" muted autoplay playsinline style="width:640px;height:360px"></video>
<script src="/hls.min.js"></script>
<script>
  const v = document.getElementById('v');
  const stats = { parts: 0, segments: 0, levelUpdates: 0, errors: [], fatal: null, mse: Hls.isSupported() };
  window.stats = stats;
  const q = new URLSearchParams(location.search);
  const src = q.get('src');
  // Extra hls.js settings as JSON (the bench compares the default with live catch-up).
  const extra = q.get('cfg') ? JSON.parse(q.get('cfg')) : {};
  const hls = new Hls({ lowLatencyMode: true, enableWorker: true, backBufferLength: 10, ...extra });
  window.hls = hls;
  hls.on(Hls.Events.FRAG_LOADED, (_e, d) => { if (d.part) stats.parts++; else stats.segments++; });
  hls.on(Hls.Events.LEVEL_UPDATED, () => stats.levelUpdates++);
  // Variant switches of a multivariant playlist: the height of each level hls.js switched to, in order.
  stats.switches = [];
  hls.on(Hls.Events.LEVEL_SWITCHED, (_e, d) => stats.switches.push(hls.levels[d.level] ? hls.levels[d.level].height : -1));
  hls.on(Hls.Events.ERROR, (_e, d) => {
    stats.errors.push(d.type + ':' + d.details + (d.fatal ? ':fatal' : ''));
    console.warn('hls.js error ' + d.type + ' ' + d.details + ' fatal=' + d.fatal + ' t=' + v.currentTime.toFixed(3) + ' ' + (d.frag ? 'frag ' + d.frag.sn : '') + (d.part ? ' part ' + d.part.index : '') + ' ' + (d.error ? d.error.message : '') + ' buffered=' + JSON.stringify(Array.from({ length: v.buffered.length }, (_, i) => [v.buffered.start(i).toFixed(3), v.buffered.end(i).toFixed(3)])));
    if (d.fatal) stats.fatal = d.details;
  });
  hls.on(Hls.Events.MANIFEST_PARSED, () => v.play().catch((e) => stats.errors.push('play:' + e.message)));
  hls.loadSource(src);
  hls.attachMedia(v);
  /** What the test and the bench read, once per poll. */
  window.sample = () => ({
    now: Date.now(),
    currentTime: v.currentTime,
    paused: v.paused,
    readyState: v.readyState,
    latency: hls.latency,
    targetLatency: hls.targetLatency,
    playingDate: hls.playingDate ? hls.playingDate.getTime() : null,
    parts: stats.parts,
    segments: stats.segments,
    levelUpdates: stats.levelUpdates,
    switches: stats.switches.slice(),
    bandwidthEstimate: Math.round(hls.bandwidthEstimate || 0),
    errors: stats.errors.slice(-10),
    fatal: stats.fatal,
    dropped: v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().droppedVideoFrames : 0,
    decoded: v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : 0,
  });
</script>
</body></html>`;

export interface PageSample {
  now: number;
  currentTime: number;
  paused: boolean;
  readyState: number;
  latency: number;
  targetLatency: number | null;
  playingDate: number | null;
  parts: number;
  segments: number;
  levelUpdates: number;
  /** Heights of the levels hls.js switched to (LEVEL_SWITCHED), in order. */
  switches: number[];
  bandwidthEstimate: number;
  errors: string[];
  fatal: string | null;
  dropped: number;
  decoded: number;
}

export interface PageServer {
  /** http://localhost:<port>/?src=<playlist>[&cfg=<hls.js config JSON>] */
  pageUrl(playlist: string, hlsConfig?: Record<string, unknown>): string;
  close(): Promise<void>;
}

/** Serves the page and hls.min.js on localhost (a port of its own, so the stream is cross-origin: CORS is exercised). */
export async function servePage(): Promise<PageServer> {
  const js = readFileSync(HLS_JS);
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/hls.min.js')) {
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(js);
    } else if (req.url === '/' || req.url?.startsWith('/?')) {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, 'localhost', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    pageUrl: (playlist, hlsConfig) =>
      `http://localhost:${port}/?src=${encodeURIComponent(playlist)}` + (hlsConfig ? `&cfg=${encodeURIComponent(JSON.stringify(hlsConfig))}` : ''),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
