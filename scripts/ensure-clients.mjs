// Installs the real clients the test suite drives (ffmpeg, GStreamer, VLC, Chromium) when they are missing.
// Runs before `npm test`; on a machine that has them all it does nothing. Needs root for apt-get.
import { execFileSync, spawnSync } from 'node:child_process';

const needed = [
  { bin: 'ffmpeg', pkgs: ['ffmpeg'] },
  { bin: 'ffprobe', pkgs: ['ffmpeg'] },
  { bin: 'gst-launch-1.0', pkgs: ['gstreamer1.0-tools'] },
  { bin: 'cvlc', pkgs: ['vlc-bin', 'vlc-plugin-base'] },
  { bin: 'chromium', pkgs: ['chromium'] },
  { bin: 'curl', pkgs: ['curl'] },
  // The lossy links of the QoS suite and bench (test/helpers/netns.ts) and rate limits of the renditions tests: namespaces, veth, nftables.
  { bin: 'ip', pkgs: ['iproute2'] },
  { bin: 'nft', pkgs: ['nftables'] },
  { bin: 'nginx', pkgs: ['nginx'] },
  { bin: 'redis-server', pkgs: ['redis-server'] },
];
// GStreamer elements the interop suites use, and the package that brings each.
const gstElements = [
  { el: 'rtspsrc', pkgs: ['gstreamer1.0-plugins-good'] },
  { el: 'avdec_h264', pkgs: ['gstreamer1.0-libav'] },
  { el: 'rtspclientsink', pkgs: ['gstreamer1.0-rtsp'] },
  { el: 'opusdec', pkgs: ['gstreamer1.0-plugins-base'] },
  // The natural publish pipeline of the codec suite (x264enc + avenc_aac), and its VP8/VP9, AC-3, JPEG and KLV publishers.
  { el: 'x264enc', pkgs: ['gstreamer1.0-plugins-ugly'] },
  { el: 'avenc_ac3', pkgs: ['gstreamer1.0-libav'] },
  { el: 'vp9enc', pkgs: ['gstreamer1.0-plugins-good'] },
  { el: 'rtpklvpay', pkgs: ['gstreamer1.0-plugins-good'] },
];
const all = [
  'ffmpeg', 'vlc-bin', 'vlc-plugin-base', 'gstreamer1.0-tools', 'gstreamer1.0-plugins-good',
  'gstreamer1.0-plugins-ugly', 'gstreamer1.0-plugins-bad', 'gstreamer1.0-libav', 'gstreamer1.0-rtsp', 'chromium',
  'python3-gi', 'gir1.2-gst-rtsp-server-1.0', 'curl', 'python3-prometheus-client',
  'iproute2', 'nftables',
];

const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
const hasGst = (el) => has('gst-inspect-1.0') && spawnSync('gst-inspect-1.0', [el], { stdio: 'ignore' }).status === 0;

// gst-rtsp-server (the relay suite's upstream, test/fixtures/gst-rtsp-server.py) through the Debian
// python3-gi: /usr/bin/python3 on purpose, a pyenv or venv python3 has no gi module.
const hasGstRtspServer = () =>
  spawnSync('/usr/bin/python3', ['-c', "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"], { stdio: 'ignore' }).status === 0;

// The metrics suite parses /metrics with the official Prometheus text-format parser (prometheus_client.parser):
// prom-client has no parser. The Debian package, for /usr/bin/python3 as above.
const hasPromParser = () =>
  spawnSync('/usr/bin/python3', ['-c', 'from prometheus_client.parser import text_string_to_metric_families'], { stdio: 'ignore' }).status === 0;

const missing = [
  ...needed.filter((n) => !has(n.bin)).map((n) => n.bin),
  ...gstElements.filter((g) => !hasGst(g.el)).map((g) => `gstreamer element ${g.el}`),
  ...(hasGstRtspServer() ? [] : ['gst-rtsp-server for /usr/bin/python3 (python3-gi, gir1.2-gst-rtsp-server-1.0)']),
  ...(hasPromParser() ? [] : ['prometheus_client for /usr/bin/python3 (python3-prometheus-client)']),
];
if (missing.length === 0) process.exit(0);

console.log(`[ensure-clients] missing: ${missing.join(', ')}; installing with apt-get`);
if (typeof process.getuid === 'function' && process.getuid() !== 0) {
  console.error('[ensure-clients] not root: install these Debian packages first:\n  apt-get install -y ' + all.join(' '));
  process.exit(1);
}
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', ...all, 'gstreamer1.0-plugins-base'], { stdio: 'inherit', env });
console.log('[ensure-clients] done');
