// Config without restarts, against the built CLI: paths added and removed by editing the watched file, an invalid edit refused,
// SIGHUP, users changed live — while a raw RTSP UDP reader of another path loses no packet.
import { get, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { parseRtcpCompound } from '../../server/rtp/rtcp.js';
import { resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { CliServer, configDir } from '../helpers/cli-server.js';
import { waitFor } from '../helpers/read.js';
import { bodyText, RawRtspClient, udpReceiver, type UdpReceiver } from '../helpers/rtsp-client.js';
import { H264_AAC_SDP, RawPublisher } from '../helpers/raw-publisher.js';
import { MEDIA_DIR } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

const cfg = configDir();
let srv: CliServer;
let rx: UdpReceiver;
const opened: { close(): void }[] = [];

/** The file as the test writes it: the live path always, plus `more` (YAML lines under paths:) and `top` (top-level lines). */
const configText = (more = '', top = ''): string =>
  [
    '# Tidecast test config: edited while the server runs',
    'rtspPort: 0',
    'httpPort: 0',
    'host: 127.0.0.1',
    top,
    'paths:',
    '  # A live path fed by ffmpeg from the start; its UDP reader must never notice a reload.',
    '  live:',
    `    ffmpeg: "-re -stream_loop -1 -i ${MEDIA_DIR}/sample.mp4 -c copy"`,
    '    sourceOnDemand: false',
    more,
  ].join('\n');

const USERS = 'authUsers:\n  - user: alice\n    pass: wonderland\n    permissions: [{action: read}, {action: api}]';
const ALICE = { Authorization: `Basic ${Buffer.from('alice:wonderland').toString('base64')}` };

const addedPath = (): string => `  added:\n    source: rtsp://127.0.0.1:${srv.rtspPort}/sample.mp4\n    sourceOnDemandCloseAfter: 1\n`;

/** ffprobe over TCP: the codecs of `url`'s streams, or the run when it failed. */
async function probe(url: string): Promise<{ ok: boolean; codecs: string[]; what: string }> {
  const args = ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', url];
  const r = await run(resolveFfprobe(), args, { timeoutMs: 20_000 });
  return { ok: r.code === 0, codecs: r.stdout.split('\n').filter(Boolean).sort(), what: describeRun('ffprobe', args, r) };
}

/** The live reader's RTP: sequence numbers unwrapped; no number missing between the first and the last. */
function liveGaps(): { packets: number; missing: number } {
  const ssrc = rx.rtp[0]?.pkt.ssrc;
  const seqs = rx.rtp.filter((p) => p.pkt.ssrc === ssrc).map((p) => p.pkt.sequenceNumber);
  if (seqs.length === 0) return { packets: 0, missing: 0 };
  let ext = seqs[0]!;
  const seen = new Set<number>([ext]);
  for (const s of seqs.slice(1)) {
    ext += ((s - (ext & 0xffff) + 0x8000) & 0xffff) - 0x8000;
    seen.add(ext);
  }
  const span = Math.max(...seen) - Math.min(...seen) + 1;
  return { packets: seqs.length, missing: span - seen.size };
}

/** Packets keep arriving on the live reader and none is missing. */
async function liveReaderUntouched(): Promise<void> {
  const before = rx.rtp.length;
  await waitFor(() => rx.rtp.length > before + 20, 30_000, 'the live reader to keep receiving RTP');
  expect(liveGaps()).toMatchObject({ missing: 0 });
}

const reloadLine = (l: { msg: string }): boolean => /^reloaded tidecast\.yml/.test(l.msg);

beforeAll(async () => {
  cfg.write(configText());
  srv = await CliServer.start(cfg.file);
  rx = await udpReceiver();
  opened.push(rx);
  const c = await RawRtspClient.open(srv.rtspPort);
  opened.push(c);
  const s = await c.request('SETUP', `${srv.url('live')}/trackID=0`, { Transport: `RTP/AVP;unicast;client_port=${rx.rtpPort}-${rx.rtcpPort}` });
  expect(s.status, bodyText(s)).toBe(200);
  expect((await c.request('PLAY', srv.url('live'), { Session: parseSession(s.headers.get('Session')!).id })).status).toBe(200);
  await waitFor(() => rx.rtp.length > 20, 45_000, 'RTP on the live UDP reader');
}, 120_000);

afterAll(async () => {
  for (const o of opened.splice(0)) o.close();
  await srv?.stop();
  cfg.cleanup();
});

describe('config reload (tidecast serve --config, watched file)', () => {
  it('serves a path added to the file (ffprobe reads it) while the live reader loses no packet', async () => {
    const from = srv.lines.length;
    const t0 = performance.now();
    cfg.write(configText(addedPath()));
    const line = await srv.waitLog(reloadLine, 20_000, 'the reload line', from);
    const appliedMs = performance.now() - t0;
    expect(line.msg).toBe('reloaded tidecast.yml: +1 path (added)');
    expect(line.level).toBe(30);
    let last = { ok: false, codecs: [] as string[], what: '' };
    await waitFor(async () => (last = await probe(srv.url('added'))).ok, 30_000, 'ffprobe to read the added path');
    expect(last.codecs, last.what).toEqual(['aac', 'h264']);
    console.log(`reload applied ${Math.round(appliedMs)} ms after the write`);
    await liveReaderUntouched();
  }, 90_000);

  it('refuses an invalid edit with every reason on one warn line; the running paths still serve', async () => {
    const from = srv.lines.length;
    cfg.write(configText(`${addedPath()}  bad:\n    source: http://camera.local/x\n`, 'sessionTimeout: 2'));
    const warn = await srv.waitLog((l) => l.level === 40 && /config reload refused/.test(l.msg), 20_000, 'the refusal', from);
    expect(warn.msg).toMatch(/the running config stays/);
    expect(warn.msg).toMatch(/paths\.bad\.source: must be "publisher" or an rtsp:\/\//);
    expect(warn.msg).toMatch(/sessionTimeout: .*5/);
    expect(srv.lines.slice(from).filter(reloadLine)).toEqual([]);
    const p = await probe(srv.url('added'));
    expect(p.codecs, p.what).toEqual(['aac', 'h264']);
    await liveReaderUntouched();
  }, 90_000);

  it('reloads on SIGHUP and keeps running', async () => {
    // Back to the last good text: the watcher sees nothing new there; SIGHUP reloads anyway.
    cfg.write(configText(addedPath()));
    const from = srv.lines.length;
    srv.p.kill('SIGHUP');
    const line = await srv.waitLog((l) => l.trigger === 'SIGHUP' && /^reloaded/.test(l.msg), 20_000, 'the SIGHUP reload', from);
    expect(line.msg).toBe('reloaded tidecast.yml: nothing changed');
    expect(srv.alive).toBe(true);
    const c = await RawRtspClient.open(srv.rtspPort);
    opened.push(c);
    expect((await c.request('OPTIONS', srv.url('added'))).status).toBe(200);
    await liveReaderUntouched();
  }, 90_000);

  it('takes new users at once: the API asks for a login, the live reader plays on', async () => {
    expect((await fetch(srv.httpUrl('api/v1/status'))).status).toBe(200);
    const from = srv.lines.length;
    cfg.write(configText(addedPath(), USERS));
    expect((await srv.waitLog(reloadLine, 20_000, 'the reload line', from)).msg).toBe('reloaded tidecast.yml: users changed');
    expect((await fetch(srv.httpUrl('api/v1/status'))).status).toBe(401);
    const ok = await fetch(srv.httpUrl('api/v1/status'), { headers: ALICE });
    expect(ok.status).toBe(200);
    await liveReaderUntouched();
  }, 90_000);

  it('applies a limit to the next session at once, and keeps a key that needs a restart at its running value', async () => {
    const from = srv.lines.length;
    cfg.write(configText(addedPath(), `${USERS}\nmaxSessionsPerConnection: 1\nhlsSegmentCount: 5`));
    const line = await srv.waitLog(reloadLine, 20_000, 'the reload line', from);
    expect(line.msg).toBe('reloaded tidecast.yml: maxSessionsPerConnection changed; hlsSegmentCount needs a restart (the running value stays)');
    const c = await RawRtspClient.open(srv.rtspPort);
    opened.push(c);
    // `live`: with alice as the only user the relay of `added` (which pulls anonymously from this server) has nothing to read.
    expect((await c.request('SETUP', `${srv.url('live')}/trackID=0`, { ...ALICE, Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' })).status).toBe(200);
    const second = await c.request('SETUP', `${srv.url('live')}/trackID=0`, { ...ALICE, Transport: 'RTP/AVP/TCP;unicast;interleaved=2-3' });
    expect(second.status, bodyText(second)).toBe(503);
    expect(bodyText(second) + (second.headers.get('Reason') ?? '')).toMatch(/maxSessionsPerConnection/);
    c.close();
    const running = (await (await fetch(srv.httpUrl('api/v1/config'), { headers: ALICE })).json()) as Record<string, unknown>;
    expect(running).toMatchObject({ maxSessionsPerConnection: 1, hlsSegmentCount: 7 });
    await liveReaderUntouched();
  }, 90_000);

  it('ends the readers of a removed path (RTCP BYE over RTSP, the end of the body over HTTP) and disconnects its publisher', async () => {
    // Users back to the default (anyone reads and publishes), and a publisher path.
    cfg.write(configText(`${addedPath()}  pub: {}\n`));
    await waitFor(async () => (await fetch(srv.httpUrl('api/v1/status'))).status === 200, 20_000, 'the default users again');
    await srv.waitLog((l) => /^reloaded tidecast\.yml: \+1 path \(pub\)/.test(l.msg), 20_000, 'pub configured');
    const publisher = await RawPublisher.start(srv.rtspPort, srv.url('pub'), H264_AAC_SDP, 2);
    opened.push(publisher);
    const c = await RawRtspClient.open(srv.rtspPort);
    opened.push(c);
    const s = await c.request('SETUP', `${srv.url('added')}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    expect(s.status, bodyText(s)).toBe(200);
    expect((await c.request('PLAY', srv.url('added'), { Session: parseSession(s.headers.get('Session')!).id })).status).toBe(200);
    await waitFor(() => c.rtpOn(0).length > 10, 30_000, 'RTP of the added path');
    const http = await new Promise<IncomingMessage>((res, rej) => get(srv.httpUrl('added/stream.ts'), res).once('error', rej));
    expect(http.statusCode).toBe(200);
    let httpBytes = 0;
    const httpEnded = new Promise<void>((res) => http.on('data', (d: Buffer) => (httpBytes += d.length)).once('end', res).once('close', res));
    await waitFor(() => httpBytes > 0, 30_000, 'bytes of the HTTP reader');
    const from = srv.lines.length;
    cfg.write(configText());
    expect((await srv.waitLog(reloadLine, 20_000, 'the reload line', from)).msg).toBe('reloaded tidecast.yml: -2 paths (added, pub)');
    await waitFor(() => publisher.c.closed, 20_000, 'the publisher of the removed path to be disconnected');
    const bye = (): boolean => c.frames.filter((f) => f.channel === 1).some((f) => parseRtcpCompound(f.data).some((x) => x.type === 'bye'));
    await waitFor(bye, 20_000, 'RTCP BYE to the reader of the removed path');
    await httpEnded;
    const p = await probe(srv.url('added'));
    expect(p.ok, p.what).toBe(false);
    await liveReaderUntouched();
    // Through every reload above: one unbroken run of sequence numbers.
    expect(liveGaps().packets).toBeGreaterThan(100);
  }, 90_000);
});
