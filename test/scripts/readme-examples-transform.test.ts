// How the README examples test turns a README line into a bounded, headless command (one table).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { readmeExamples, scriptOf, substitute, transformLine, ROOT } from '../helpers/readme-examples.js';
import { parseTranscript } from '../helpers/readme-telnet.js';

const cases: [string, string][] = [
  ['ffplay rtsp://h/x', 'timeout 30 ffprobe -v error rtsp://h/x'],
  ['ffplay -rtsp_transport tcp rtsp://h/x     # interleaved', 'timeout 30 ffprobe -v error -rtsp_transport tcp rtsp://h/x'],
  ['ffprobe -v error -show_streams rtsp://h/x', 'timeout 30 ffprobe -v error -show_streams rtsp://h/x'],
  ['ffmpeg -i rtsp://h/x -c copy out.mp4', 'timeout 60 ffmpeg -nostdin -y -v error -i rtsp://h/x -t 2 -c copy out.mp4'],
  ['ffmpeg -re -i in.mp4 -c copy -f rtsp rtsp://h/live', 'timeout 120 ffmpeg -nostdin -v error -re -i in.mp4 -c copy -f rtsp rtsp://h/live >/dev/null 2>&1 &\nwait_live rtsp://h/live'],
  ['gst-launch-1.0 playbin uri=rtsp://h/x', "gst_plays playbin uri=rtsp://h/x 'video-sink=fakesink silent=false' audio-sink=fakesink"],
  ['gst-launch-1.0 rtspsrc location=rtsp://h/x ! decodebin ! autovideosink', 'gst_plays rtspsrc location=rtsp://h/x ! decodebin ! fakesink silent=false'],
  ['gst-launch-1.0 videotestsrc ! x264enc ! rtspclientsink location=rtsp://h/g', 'timeout 120 gst-launch-1.0 -q videotestsrc ! x264enc ! rtspclientsink location=rtsp://h/g >/dev/null 2>&1 &\nwait_live rtsp://h/g'],
  ['curl -sI http://h/f', 'curl -f -m 30 -sI http://h/f'],
  ['curl -s http://h/s.ts | ffprobe -', '{ curl -f -m 30 -s http://h/s.ts || [ $? = 23 ]; } | ffprobe -'],
  ["curl -s -o /dev/null -w '%{http_code}\\n' http://h/f   # 304", `got=$(curl -m 30 -s -o /dev/null -w '%{http_code}\\n' http://h/f); [ "$got" = "304" ] || { echo "expected 304, got $got" >&2; exit 1; }`],
];

describe('README example transform', () => {
  it.each(cases)('%s', (line, want) => {
    expect(transformLine(line)).toEqual({ cmd: want });
  });

  it('shows interactive players without running them', () => {
    for (const l of ['vlc rtsp://h/x', 'cvlc http://h/x', 'mpv rtsp://h/x']) expect(transformLine(l)).toHaveProperty('skip');
  });

  it('puts the test server in place of the README ports, and the checkout media folder', () => {
    expect(substitute('ffmpeg -i media/a.mp4 -f rtsp rtsp://localhost:8554/x http://localhost:8888/y', { rtsp: 1, http: 2 })).toBe(
      `ffmpeg -i ${ROOT}/media/a.mp4 -f rtsp rtsp://127.0.0.1:1/x http://127.0.0.1:2/y`,
    );
  });

  it('every runnable README block has commands, and the telnet transcript parses into exchanges', () => {
    const ex = readmeExamples();
    for (const e of ex.filter((x) => x.lang === 'sh')) expect(scriptOf(e, { rtsp: 1, http: 2 }).ran.length, e.name).toBeGreaterThan(0);
    const t = parseTranscript(ex.find((e) => e.name === 'telnet')!.body);
    expect(t.map((x) => x.status)).toEqual([...Array(7).fill('RTSP/1.0 200 OK'), 'RTSP/1.0 400 Bad Request', 'RTSP/1.0 400 Bad Request']);
    expect(t[0]!.request).toBe('OPTIONS rtsp://localhost:8554/sample.mp4 RTSP/1.0\nCSeq: 1\n\n');
    expect(t[7]!.request).toBe('hello\n');
  });
});

describe('README config example', () => {
  it('is a config the server accepts, with the paths it names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidecast-readme-config-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'tidecast.yml');
    writeFileSync(file, readmeExamples().find((e) => e.name === 'config-paths')!.body);
    const c = loadConfig(file);
    expect(c.rtspPort).toBe(8554);
    expect(Object.keys(c.paths)).toEqual(['cams/door', 'clock', 'old/name', 'live/cam']);
    expect(c.paths['cams/door']!.sourceOnDemandCloseAfter).toBe(10);
  });
});
