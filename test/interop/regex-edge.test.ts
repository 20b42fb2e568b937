// Paths by pattern: an edge Tidecast (the built CLI) with `~^(.+)$: {source: rtsp://origin/$G1}` serves any path of an origin Tidecast,
// one upstream pull per concrete path however many readers, forgotten once it stops; read with ffprobe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { CliServer, configDir } from '../helpers/cli-server.js';
import { waitFor } from '../helpers/read.js';
import { bodyText, RawRtspClient } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

const cfg = configDir();
let origin: TestServer;
let edge: CliServer;
const opened: { close(): void }[] = [];

/** The origin's RTSP sessions reading `path`: the edge's pulls. */
const pullsOf = (path: string): number => [...origin.rtsp.sessions.values()].filter((s) => s.path === path && s.media.kind !== 'publish').length;

async function probeCodecs(url: string): Promise<string[]> {
  const args = ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', url];
  const r = await run(resolveFfprobe(), args, { timeoutMs: 30_000 });
  expect(r.code, describeRun('ffprobe', args, r)).toBe(0);
  return r.stdout.split('\n').filter(Boolean).sort();
}

/** Names the edge's API lists as live paths. */
async function edgePaths(): Promise<string[]> {
  const body = (await (await fetch(edge.httpUrl('api/v1/paths'))).json()) as { live: { name: string }[] };
  return body.live.map((p) => p.name);
}

/** A raw RTSP reader of the edge's `path` (video, TCP interleaved), playing. */
async function reader(path: string): Promise<RawRtspClient> {
  const c = await RawRtspClient.open(edge.rtspPort);
  opened.push(c);
  const s = await c.request('SETUP', `${edge.url(path)}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
  expect(s.status, bodyText(s)).toBe(200);
  expect((await c.request('PLAY', edge.url(path), { Session: parseSession(s.headers.get('Session')!).id })).status).toBe(200);
  await waitFor(() => c.rtpOn(0).length > 5, 30_000, `RTP of ${path} through the edge`);
  return c;
}

beforeAll(async () => {
  origin = await startTestServer();
  cfg.write(
    [
      '# An edge: every path is pulled from the origin on demand.',
      'rtspPort: 0',
      'httpPort: 0',
      'host: 127.0.0.1',
      'paths:',
      '  "~^(.+)$":',
      `    source: rtsp://127.0.0.1:${origin.rtspPort}/$G1`,
      '    sourceOnDemandCloseAfter: 0.5',
      '',
    ].join('\n'),
  );
  edge = await CliServer.start(cfg.file);
}, 120_000);

afterAll(async () => {
  for (const o of opened.splice(0)) o.close();
  await edge?.stop();
  await origin?.close();
  cfg.cleanup();
});

describe('~regex paths: an edge of an origin', () => {
  it('serves the origin\'s paths through the pattern, $G1 naming the upstream path (ffprobe)', async () => {
    expect(await probeCodecs(edge.url('sample.mp4'))).toEqual(['aac', 'h264']);
    expect(await probeCodecs(edge.url('sample.mkv'))).toEqual(['h264', 'opus']);
  }, 90_000);

  it('pulls each concrete path once however many readers, and forgets it after it stops', async () => {
    const a = await reader('sample.ts');
    const b = await reader('sample.ts');
    expect(pullsOf('sample.ts')).toBe(1);
    expect(await edgePaths()).toContain('sample.ts');
    a.close();
    b.close();
    // sourceOnDemandCloseAfter 0.5 s: the pull ends and the edge forgets the path it made.
    await waitFor(() => pullsOf('sample.ts') === 0, 30_000, 'the edge to stop pulling sample.ts');
    await waitFor(async () => !(await edgePaths()).includes('sample.ts'), 30_000, 'the edge to forget sample.ts');
    // And makes it again for the next reader.
    expect(await probeCodecs(edge.url('sample.ts'))).toEqual(['aac', 'h264']);
  }, 90_000);
});
