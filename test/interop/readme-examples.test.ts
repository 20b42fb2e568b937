// The README's examples, run as written (ports substituted) against a real server with the bundled media.
// Not run: interactive players (vlc, mpv, OBS) and blocks without an `<!-- example: -->` marker (multicast
// needs a network that routes it, RTSPS a certificate; both have their own tests). ffplay lines are
// run as ffprobe with the same options and URL; ffmpeg readers for 2 s; gst-launch until frames reach
// its (fake) video sink; curl with -f, or against the status its comment names; publishers in the
// background until their path is live, for the lines after them.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { RawRtspClient, bodyText } from '../helpers/rtsp-client.js';
import { readmeExamples, scriptOf, substitute } from '../helpers/readme-examples.js';
import { parseTranscript } from '../helpers/readme-telnet.js';

let srv: TestServer;
let dir: string;
beforeAll(async () => {
  srv = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'tidecast-readme-'));
});
afterAll(async () => {
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const examples = readmeExamples();
const shell = examples.filter((e) => e.lang === 'sh');

/** Runs a script in its own process group, so every program it started goes with it. */
function bash(text: string, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', text], { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const killGroup = (): void => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(killGroup, timeoutMs);
    onTestFinished(killGroup);
    child.on('close', (code) => {
      clearTimeout(timer);
      killGroup();
      resolve({ code, out });
    });
  });
}

describe('README examples', () => {
  it('has the runnable examples this test knows', () => {
    expect(examples.map((e) => e.name)).toEqual(
      expect.arrayContaining(['first-play', 'play-ffmpeg', 'play-gstreamer', 'play-curl', 'publish-ffmpeg', 'publish-gstreamer', 'telnet']),
    );
  });

  it.each(shell.map((e) => [e.name, e] as const))('%s runs as written', async (_name, ex) => {
    const s = scriptOf(ex, { rtsp: srv.rtspPort, http: srv.httpPort });
    expect(s.ran.length).toBeGreaterThan(0);
    const r = await bash(s.text, 55_000);
    expect(r.code, `README lines:\n${s.ran.join('\n')}\nnot run: ${s.skipped.join('; ') || 'none'}\n--- script ---\n${s.text}\n--- output ---\n${r.out.slice(-3000)}`).toBe(0);
  });

  it('the telnet walkthrough: each answer has the status, headers and Public list shown', async () => {
    const telnet = examples.find((e) => e.name === 'telnet')!;
    const shown = parseTranscript(telnet.body);
    expect(shown.length).toBeGreaterThanOrEqual(9);
    const c = await RawRtspClient.open(srv.rtspPort);
    onTestFinished(() => c.close());
    const ports = { rtsp: srv.rtspPort, http: srv.httpPort };
    const shownSession = shown.flatMap((x) => x.headers).find(([n]) => n === 'Session')?.[1].split(';')[0];
    let session: string | undefined;
    for (const x of shown) {
      let req = substitute(x.request, ports);
      if (session && shownSession) req = req.replaceAll(shownSession, session);
      const r = await c.raw(req);
      session ??= r.headers.get('Session')?.split(';')[0];
      const what = `answer to ${x.request.split('\n')[0]}`;
      expect(`RTSP/1.0 ${r.status} ${r.reason}`, what).toBe(x.status);
      expect([...r.headers].map(([n]) => n.toLowerCase()), what).toEqual(x.headers.map(([n]) => n.toLowerCase()));
      for (const name of ['CSeq', 'Public', 'Content-Type', 'Range']) {
        const want = x.headers.find(([n]) => n === name)?.[1];
        if (want !== undefined && name !== 'Range') expect(r.headers.get(name), `${what}: ${name}`).toBe(want);
      }
      if (x.status.includes(' 400 ')) expect(bodyText(r).trim(), what).toBe(substitute(x.body, ports).trim());
      if (x.headers.some(([n, v]) => n === 'Content-Type' && v === 'application/sdp')) {
        const lines = (t: string): string[] => t.split(/\r?\n/).filter((l) => /^(m=|a=rtpmap|a=control|a=range)/.test(l));
        expect(lines(bodyText(r)), what).toEqual(lines(x.body));
      }
    }
  });
});
