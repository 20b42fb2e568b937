// Reads the runnable examples out of README.md and turns them into bounded scripts against a test server.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

/** A fenced block after `<!-- example: name -->`: `sh` blocks are run, the `text` telnet block replayed. */
export interface Example {
  name: string;
  lang: string;
  body: string;
}

export function readmeExamples(text = readFileSync(resolve(ROOT, 'README.md'), 'utf8')): Example[] {
  const re = /<!-- example: ([\w-]+) -->\s*\n```(\w+)\n([\s\S]*?)\n```/g;
  return [...text.matchAll(re)].map((m) => ({ name: m[1]!, lang: m[2]!, body: m[3]! }));
}

export interface Ports {
  rtsp: number;
  http: number;
}

/** The README's ports and host to the test server's; `media/` to the checkout's folder (scripts run elsewhere). */
export function substitute(line: string, p: Ports): string {
  return line
    .replace(/localhost:8554/g, `127.0.0.1:${p.rtsp}`)
    .replace(/localhost:8888/g, `127.0.0.1:${p.http}`)
    .replace(/(^|\s)media\//g, `$1${ROOT}/media/`);
}

/** Programs a person watches: shown in the README, never run by the test (no display, no end). */
const INTERACTIVE = new Set(['vlc', 'cvlc', 'mpv', 'obs']);

export interface Script {
  /** A bash script: `set -euo pipefail`, one transformed command per README line, helpers first. */
  text: string;
  /** README lines run (after transformation), for the failure message. */
  ran: string[];
  /** README lines shown but not run, and why. */
  skipped: string[];
}

// wait_live URL: a publisher's path answers DESCRIBE (ffprobe over TCP), with a deadline.
// gst_plays ARGS...: gst-launch shows frames reaching its video sink (fakesink, verbose), then it is stopped.
const PRELUDE = `set -euo pipefail
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
wait_live() {
  for _ in $(seq 1 100); do
    if timeout 10 ffprobe -v quiet -rtsp_transport tcp -show_entries stream=codec_name -of csv "$1" | grep -q .; then return 0; fi
    sleep 0.3
  done
  echo "no publisher at $1" >&2; return 1
}
gst_plays() {
  local log pid
  log=$(mktemp)
  timeout 30 gst-launch-1.0 -v "$@" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    if grep -q 'last-message = chain' "$log"; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  # Read once more: the run may have ended just after the last look.
  if grep -q 'last-message = chain' "$log"; then return 0; fi
  echo "no frame reached the video sink; what the run said of its streams:" >&2
  grep -E 'ERROR|WARN|missing|Redistribute|video/x-raw|GstFakeSink|rtpsession0: stats' "$log" | cut -c1-300 | head -20 >&2 || true
  tail -20 "$log" >&2; kill "$pid" 2>/dev/null || true; return 1
}
`;

/** A README command as the test runs it: bounded, headless, failing on HTTP errors. */
export function transformLine(line: string): { cmd: string } | { skip: string } {
  const comment = /\s+#\s*(.*)$/.exec(line);
  const cmd = comment ? line.slice(0, comment.index) : line;
  const prog = cmd.split(/\s+/)[0]!;
  if (INTERACTIVE.has(prog)) return { skip: `${prog}: an interactive player, shown but not run` };
  if (prog === 'ffplay') return { cmd: `timeout 30 ffprobe -v error ${cmd.slice('ffplay '.length)}` };
  if (prog === 'ffprobe') return { cmd: `timeout 30 ${cmd}` };
  if (prog === 'ffmpeg') return { cmd: ffmpegLine(cmd) };
  if (prog === 'gst-launch-1.0') return { cmd: gstLine(cmd) };
  if (prog === 'curl') return { cmd: curlLine(cmd, comment?.[1]) };
  return { cmd };
}

function ffmpegLine(cmd: string): string {
  const rest = cmd.slice('ffmpeg '.length);
  if (/ -f rtsp /.test(cmd)) {
    // A publisher runs until the block ends; the next lines wait until its path is live.
    const url = cmd.split(/\s+/).pop()!;
    return `timeout 120 ffmpeg -nostdin -v error ${rest} >/dev/null 2>&1 &\nwait_live ${url}`;
  }
  // A reader of a 20 s clip: two seconds show the URL works.
  const bounded = /\s-(t|frames:v)\s/.test(rest) ? rest : rest.replace(/(-i\s+\S+)/, '$1 -t 2');
  return `timeout 60 ffmpeg -nostdin -y -v error ${bounded}`;
}

function gstLine(cmd: string): string {
  const rest = cmd.slice('gst-launch-1.0 '.length);
  if (/rtspclientsink/.test(rest)) {
    const url = /location=(\S+)/.exec(rest)![1]!;
    return `timeout 120 gst-launch-1.0 -q ${rest} >/dev/null 2>&1 &\nwait_live ${url}`;
  }
  const headless = rest.replace(/autovideosink/g, 'fakesink silent=false').replace(/autoaudiosink/g, 'fakesink');
  const sinks = /^playbin\b/.test(headless) ? ` 'video-sink=fakesink silent=false' audio-sink=fakesink` : '';
  return `gst_plays ${headless}${sinks}`;
}

function curlLine(cmd: string, comment: string | undefined): string {
  const status = comment !== undefined ? /^(\d{3})\b/.exec(comment)?.[1] : undefined;
  const bounded = cmd.replace(/^curl /, 'curl -m 30 ');
  // `-w '%{http_code}'` with `# 206` after it: the status shown is the status got.
  if (status !== undefined && cmd.includes('%{http_code}')) return `got=$(${bounded}); [ "$got" = "${status}" ] || { echo "expected ${status}, got $got" >&2; exit 1; }`;
  // Anything else must succeed: -f turns an HTTP error into a failing exit status. A reader at the
  // other end of a pipe may stop early (ffprobe has seen enough): curl then exits 23, which is fine.
  const failing = bounded.replace(/^curl /, 'curl -f ');
  const pipe = failing.indexOf(' | ');
  return pipe < 0 ? failing : `{ ${failing.slice(0, pipe)} || [ $? = 23 ]; }${failing.slice(pipe)}`;
}

/** One example block as a script for bash, with the ports of the test server. */
export function scriptOf(ex: Example, p: Ports): Script {
  const ran: string[] = [];
  const skipped: string[] = [];
  const out = [PRELUDE];
  for (const raw of ex.body.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const t = transformLine(substitute(line, p));
    if ('skip' in t) {
      skipped.push(`${line}  (${t.skip})`);
      continue;
    }
    ran.push(line);
    out.push(t.cmd);
  }
  return { text: out.join('\n') + '\n', ran, skipped };
}
