// ReaderSwitch with a real client: ffmpeg reading cams/door over RTSP/TCP is moved to its 240p rendition and back
// (by calling the switch directly, as the QoS code will), and decodes on without an error, seeing the picture change.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReaderSwitch } from '../../server/core/reader-switch.js';
import type { StreamReader } from '../../server/core/stream.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { waitFor } from '../helpers/read.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';

const MAIN = 'cams/door';
const LOW = 'cams/door~240p';

let srv: TestServer;
const children: ChildProcess[] = [];
let sw: ReaderSwitch | undefined;

beforeAll(async () => {
  srv = await startTestServer({
    paths: { [MAIN]: { ffmpeg: `-re -stream_loop -1 -i ${MEDIA_DIR}/sample.mp4 -c copy`, renditions: [{ name: '240p', height: 240, videoBitrate: '300k' }] } },
  });
});
afterEach(() => {
  sw?.close();
  sw = undefined;
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
afterAll(async () => {
  await srv?.close();
});

/** ffmpeg decoding `url` with showinfo (each frame's size) and errors tagged by level; `log` grows as it runs. */
function reader(url: string, extra: string[] = []): { child: ChildProcess; log: () => string; exited: Promise<number | null> } {
  const args = ['-loglevel', 'level+info', '-rtsp_transport', 'tcp', '-i', url, ...extra, '-map', '0:v', '-vf', 'showinfo', '-f', 'null', '-'];
  const child = spawn(resolveFfmpeg(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let text = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (text += d));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return { child, log: () => text, exited };
}

const sizes = (log: string): string[] => [...log.matchAll(/\[Parsed_showinfo[^\]]*\] \[info\] n:\s*\d+ .*? s:(\d+x\d+)/g)].map((m) => m[1]!);

describe('ReaderSwitch', () => {
  it('moves a live RTSP reader to a rendition and back at key frames; ffmpeg decodes on without an error', async () => {
    // The rendition runs while something reads it.
    reader(srv.url(LOW));
    await waitFor(() => (srv.paths.livePath(LOW).stream?.readerCount ?? 0) >= 1, 60_000, 'the rendition to play');
    const main = srv.paths.livePath(MAIN).stream!;
    const low = srv.paths.livePath(LOW).stream!;
    const before = new Set(main.readers);
    const r = reader(srv.url(MAIN));
    await waitFor(() => [...main.readers].some((x) => !before.has(x)) && sizes(r.log()).length > 10, 60_000, 'the reader under test to decode the main path');
    const session = [...main.readers].find((x) => !before.has(x)) as StreamReader;
    main.detach(session);
    sw = new ReaderSwitch(session, main);
    expect(await sw.switchTo(low)).toBe(true);
    await waitFor(() => sizes(r.log()).includes('426x240'), 30_000, 'frames of the rendition at the reader');
    expect(await sw.switchTo(main)).toBe(true);
    await waitFor(() => sizes(r.log()).lastIndexOf('640x360') > sizes(r.log()).indexOf('426x240') + 10, 30_000, 'ten frames of the main path again');
    r.child.kill('SIGINT');
    await r.exited;
    const log = r.log();
    const seen = sizes(log);
    // Main, then the rendition, then main again: each change once.
    const runs = seen.filter((s, i) => i === 0 || s !== seen[i - 1]);
    expect(runs, log.slice(-3000)).toEqual(['640x360', '426x240', '640x360']);
    const errors = log.split('\n').filter((l) => /\[(error|fatal)\]/.test(l));
    expect(errors, log.slice(-3000)).toEqual([]);
  }, 180_000);
});
