// Descriptions over HTTP and SAP with real clients. In a network namespace this test creates (CI runs as root):
// a `sap: true` live path is opened by ffprobe from GET /<path>.sdp alone (it joins the groups), its SAP
// announcement arrives on 239.255.255.255:9875 and carries that SDP, and the path stopping (publisher gone,
// reload, server shut down) sends a deletion. Outside it: GStreamer follows the absolute rtsp:// controls of a file's .sdp.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSap, type SapPacket } from '../../server/sdp/sap.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { waitFor as waitUntil } from '../helpers/read.js';
import { gstRead } from '../helpers/gst-read.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

const ROOT = resolve(import.meta.dirname, '../..');
const RTSP_PORT = 8554;
const HTTP = 'http://127.0.0.1:8888';
const GROUPS = ['239.255.42.1', '239.255.42.2'];

let ns = '';
let dir = '';
let children: ChildProcess[] = [];
let serverLog = '';
let srv: TestServer | undefined;

async function ip(...args: string[]): Promise<void> {
  const r = await run('ip', args, { timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')} failed (this test needs root and iproute2's ip netns): ${r.stderr.trim()}`);
}

/** A long-running program inside the namespace; `ip netns exec` execs it, so the pid is the program's. */
function inNs(cmd: string, args: string[], onOut?: (s: string) => void): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.stdout!.on('data', (d: Buffer) => onOut?.(d.toString()));
  child.stderr!.on('data', (d: Buffer) => onOut?.(d.toString()));
  return child;
}

/** The shared deadline wait, with the server's log in the failure. */
async function waitFor(what: string, ok: () => boolean, ms: number): Promise<void> {
  await waitUntil(ok, ms, what).catch((e: Error) => {
    throw new Error(`${e.message}; server log:\n${serverLog.slice(-3000)}`);
  });
}

const exited = (c: ChildProcess): Promise<void> => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('close', () => r())));

// Joins the SAP group and prints each datagram as hex, one per line: the test parses them with parseSap.
const SAP_RECEIVER = `
import { createSocket } from 'node:dgram';
const s = createSocket({ type: 'udp4', reuseAddr: true });
s.on('message', (m) => console.log('sap ' + m.toString('hex')));
s.bind(9875, () => { s.addMembership('239.255.255.255', '127.0.0.1'); console.log('ready'); });
process.on('SIGINT', () => process.exit(0));
`;

beforeEach(async () => {
  ns = `tc-sdp-${process.pid}-${randomBytes(3).toString('hex')}`;
  dir = mkdtempSync(join(tmpdir(), 'tc-sdp-'));
  children = [];
  serverLog = '';
});

afterEach(async () => {
  await srv?.close();
  srv = undefined;
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(children.map(exited));
  // Deleted even when the test failed: `ip netns list` is left as it was.
  const list = await run('ip', ['netns', 'list'], { timeoutMs: 10_000 });
  if (list.stdout.split('\n').some((l) => l.split(' ')[0] === ns)) await ip('netns', 'del', ns);
  rmSync(dir, { recursive: true, force: true });
});

/** The namespace with multicast over its loopback, the server in it, and a SAP receiver. */
async function startInNamespace(): Promise<{ packets: () => SapPacket[]; server: ChildProcess }> {
  await ip('netns', 'add', ns);
  await ip('-n', ns, 'link', 'set', 'lo', 'up');
  // Joins without an interface (ffmpeg's, VLC's) resolve through this route, and lo must say it does multicast.
  await ip('-n', ns, 'link', 'set', 'lo', 'multicast', 'on');
  await ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'lo');
  writeConfig(true);
  writeFileSync(join(dir, 'sap-rx.mjs'), SAP_RECEIVER);
  let rxOut = '';
  inNs(process.execPath, [join(dir, 'sap-rx.mjs')], (s) => (rxOut += s));
  const server = inNs(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'serve', '--rtsp-port', String(RTSP_PORT), '--rtp-port', '8000', '--media', 'media', '--config', join(dir, 'tidecast.yaml')], (s) => (serverLog += s));
  await waitFor('server start and SAP receiver', () => serverLog.includes('RTSP on port') && rxOut.includes('ready'), 30_000);
  const packets = (): SapPacket[] =>
    rxOut
      .split('\n')
      .filter((l) => l.startsWith('sap '))
      .map((l) => parseSap(Buffer.from(l.slice(4), 'hex')))
      .map((r) => (r.ok ? r.packet : ({ deletion: false, msgIdHash: -1, origin: '', payloadType: 'unparsable', payload: r.reason } as SapPacket)));
  return { packets, server };
}

function writeConfig(sap: boolean): void {
  writeFileSync(join(dir, 'tidecast.yaml'), `multicastIPRange: 239.255.42.0/29\nmulticastTTL: 1\nsapInterval: 1\npaths:\n  live/mc:\n    sap: ${sap}\n`);
}

function publish(ffmpeg: string, extra: string[] = []): ChildProcess {
  return inNs(ffmpeg, ['-v', 'error', '-re', '-stream_loop', '-1', '-i', 'media/sample.mp4', ...extra, '-c', 'copy', '-f', 'rtsp', `rtsp://127.0.0.1:${RTSP_PORT}/live/mc`], (s) => (serverLog += `[publisher] ${s}`));
}

describe('GET /<path>.sdp and SAP for a multicast path, in a network namespace', () => {
  it('ffprobe decodes the path from its .sdp alone; SAP announces that SDP and deletes it when the publisher leaves, a reload drops sap, and the server shuts down', async () => {
    const ffmpeg = resolveFfmpeg();
    const ffprobe = ffmpeg.replace(/ffmpeg$/, 'ffprobe');
    const { packets, server } = await startInNamespace();
    let publisher = publish(ffmpeg);
    await waitFor('the SAP announcement', () => packets().some((p) => !p.deletion), 60_000);

    // The description over HTTP, fetched inside the namespace.
    const sdpText = await run('ip', ['netns', 'exec', ns, 'curl', '-sS', '-D', '-', `${HTTP}/live/mc.sdp`], { timeoutMs: 20_000 });
    expect(sdpText.stdout).toMatch(/^Content-Type: application\/sdp/im);
    const sdp = sdpText.stdout.slice(sdpText.stdout.indexOf('v=0'));
    expect(sdp).toMatch(new RegExp(`m=video 8002 RTP/AVP 96\\r\\nc=IN IP4 ${GROUPS[0]!.replace(/\./g, '\\.')}/1\\r\\n`));
    expect(sdp).toMatch(new RegExp(`m=audio 8002 RTP/AVP 97\\r\\nc=IN IP4 ${GROUPS[1]!.replace(/\./g, '\\.')}/1\\r\\n`));
    const alias = await run('ip', ['netns', 'exec', ns, 'curl', '-sS', `${HTTP}/live/mc/description.sdp`], { timeoutMs: 20_000 });
    expect(alias.stdout).toBe(sdp);

    // ffprobe, then ffmpeg, read nothing but the SDP: they join both groups and decode what the multicast sender sends.
    const probeArgs = ['-v', 'error', '-protocol_whitelist', 'file,udp,rtp,http,tcp', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv', '-i', `${HTTP}/live/mc.sdp`];
    const probe = await run('ip', ['netns', 'exec', ns, ffprobe, ...probeArgs], { timeoutMs: 90_000 });
    expect(probe.code, describeRun('ffprobe', probeArgs, probe)).toBe(0);
    expect(probe.stdout.trim().split('\n').sort(), describeRun('ffprobe', probeArgs, probe)).toEqual(['stream,aac', 'stream,h264,640,360']);
    const args = ['-v', 'error', '-protocol_whitelist', 'file,udp,rtp,http,tcp', '-buffer_size', '4194304', '-i', `${HTTP}/live/mc.sdp`, '-map', '0:v', '-frames:v', '30', '-f', 'framecrc', '-'];
    const read = await run('ip', ['netns', 'exec', ns, ffmpeg, ...args], { timeoutMs: 90_000 });
    const frames = read.stdout.split('\n').filter((l) => /^0,/.test(l));
    const why = `${describeRun('ffmpeg', args, read)}\nserver:\n${serverLog.slice(-2000)}`;
    expect(read.code, why).toBe(0);
    expect(frames.length, why).toBe(30);

    // The announcement: ours (origin, payload type), and the very SDP the HTTP route gives.
    const first = packets().find((p) => !p.deletion)!;
    expect(first.origin).toBe('127.0.0.1');
    expect(first.payloadType).toBe('application/sdp');
    expect(first.payload).toBe(sdp);
    expect(packets().filter((p) => p.msgIdHash === -1)).toEqual([]);
    // Repeated while the path runs (sapInterval 1 s here).
    await waitFor('a second announcement', () => packets().filter((p) => !p.deletion).length >= 2, 30_000);

    // The publisher leaves: one deletion, same hash and origin as the announcement (RFC 2974 §4).
    publisher.kill('SIGKILL');
    await waitFor('the SAP deletion', () => packets().some((p) => p.deletion), 30_000);
    const deletion = packets().find((p) => p.deletion)!;
    expect(deletion).toMatchObject({ msgIdHash: first.msgIdHash, origin: first.origin, payload: first.payload });
    const notFound = await run('ip', ['netns', 'exec', ns, 'curl', '-sS', '-o', '/dev/null', '-w', '%{http_code}', `${HTTP}/live/mc.sdp`], { timeoutMs: 20_000 });
    expect(notFound.stdout).toBe('404');
    // /metrics counts what left.
    const metrics = await run('ip', ['netns', 'exec', ns, 'curl', '-sS', `${HTTP}/metrics`], { timeoutMs: 20_000 });
    const sent = (type: string): number => Number(new RegExp(`^tidecast_sap_packets_total\\{type="${type}",result="sent"\\} (\\d+)$`, 'm').exec(metrics.stdout)?.[1] ?? 0);
    expect(sent('announcement'), metrics.stdout.slice(0, 2000)).toBeGreaterThanOrEqual(2);
    expect(sent('deletion')).toBe(1);

    // Back again: a new version of the session (o= version 2); a reload that drops `sap` deletes it.
    let before = packets().length;
    publisher = publish(ffmpeg);
    await waitFor('the announcement of the new publisher', () => packets().slice(before).some((p) => !p.deletion), 60_000);
    const second = packets().slice(before).find((p) => !p.deletion)!;
    expect(second.payload).toMatch(/^o=- \d+ 2 IN IP4 127\.0\.0\.1\r$/m);
    writeConfig(false);
    server.kill('SIGHUP');
    await waitFor('the deletion after the reload', () => packets().slice(before).some((p) => p.deletion && p.payload === second.payload), 30_000);

    // And once more with `sap` back: the server shutting down deletes the announcement too.
    const mark = serverLog.length;
    writeConfig(true);
    server.kill('SIGHUP');
    await waitFor('the reload that puts sap back', () => /reloaded tidecast\.yaml: ~1 path \(live\/mc\)/.test(serverLog.slice(mark)), 30_000);
    before = packets().length;
    publisher = publish(ffmpeg);
    await waitFor('the third announcement', () => packets().slice(before).some((p) => !p.deletion), 60_000);
    const third = packets().slice(before).find((p) => !p.deletion)!;
    server.kill('SIGTERM');
    await exited(server);
    await waitFor('the deletion at shutdown', () => packets().slice(before).some((p) => p.deletion && p.payload === third.payload), 30_000);
  }, 240_000);
});

describe("VLC's SAP discovery, in a network namespace", () => {
  it('lists a one-track announced path by its name (VLC without live555 lists only sessions whose media share one address)', async () => {
    const { packets } = await startInNamespace();
    publish(resolveFfmpeg(), ['-an']);
    await waitFor('the SAP announcement', () => packets().some((p) => !p.deletion), 60_000);
    // VLC refuses to run as root; its cli interface prints the playlist, where SAP discovery adds what it hears.
    const vlc = spawn('ip', ['netns', 'exec', ns, 'runuser', '-u', 'nobody', '--', 'env', 'HOME=/tmp', 'cvlc', '-I', 'cli', '--services-discovery', 'sap'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(vlc);
    let out = '';
    vlc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    vlc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    // Ask for the playlist every half second until it lists the path.
    await waitUntil(() => /\|\s+\d+ - live\/mc/.test(out) || (vlc.stdin!.write('playlist\n'), false), 60_000, 'VLC to list live/mc', 500).catch((e: Error) => {
      throw new Error(`${e.message}; it printed:\n${out.slice(-3000)}`);
    });
    vlc.stdin!.write('quit\n');
    await exited(vlc);
    expect(out).toMatch(/Network streams \(SAP\)\s*\n\|\s+\d+ - live\/mc/);
  }, 120_000);
});

describe('GET /<path>.sdp with absolute rtsp:// controls', () => {
  it('GStreamer sdpdemux takes the session control as an RTSP redirect, and rtspsrc plays it from the description alone', async () => {
    srv = await startTestServer({ publicHost: 'localhost' });
    const res = await fetch(srv.httpUrl('sample.mp4.sdp'));
    expect(res.headers.get('content-type')).toBe('application/sdp');
    const sdp = await res.text();
    const base = `rtsp://localhost:${srv.rtspPort}/sample.mp4`;
    expect(sdp).toContain(`\r\na=control:${base}\r\n`);
    expect(sdp).toContain(`\r\na=control:${base}/trackID=0\r\n`);

    // sdpdemux (gst/sdp) posts `redirect` with rtsp-sdp:///#<the SDP>, which rtspsrc opens: SETUP to the controls, no DESCRIBE.
    // It then posts an error saying "Sent RTSP redirect.", and on a loaded machine gst-launch can stop on that error before it
    // prints the redirect message: such a run is asked again (at most 5 runs), as the location is only to be read from it.
    const args = ['-m', 'souphttpsrc', `location=${srv.httpUrl('sample.mp4.sdp')}`, '!', 'sdpdemux', '!', 'fakesink'];
    let location: string | undefined;
    let why = '';
    for (let i = 0; i < 5 && location === undefined; i++) {
      const demux = await run('gst-launch-1.0', args, { timeoutMs: 30_000 });
      const out = demux.stdout + demux.stderr;
      why = describeRun('gst-launch-1.0', args, demux);
      expect(out, why).toContain('Sent RTSP redirect.');
      location = /redirect, new-location=\(string\)"?([^";]+)"?;/.exec(out)?.[1];
    }
    expect(location ?? '', why).toMatch(/^rtsp-sdp:\/\/\/\\?#v\\?=0/);
    const uri = location!.replace(/\\(.)/g, '$1');
    const read = await gstRead(uri, { videoFrames: 20, deadlineS: 40 });
    expect(read.videoFrames, read.info).toBeGreaterThanOrEqual(20);
    expect(read.errors, read.info).toEqual([]);
  }, 120_000);
});

describe('a named SAP path with its own source', () => {
  it('starts with the server, without a reader, and is described and announced as multicast until the server stops', async () => {
    // TTL 0: nothing this test sends leaves the machine.
    srv = await startTestServer({
      multicastTTL: 0,
      multicastIPRange: '239.255.43.0/29',
      paths: { 'live/ff': { ffmpeg: `-re -stream_loop -1 -i ${join(MEDIA_DIR, 'sample.mp4')} -c copy`, sap: true } },
    });
    const s = srv;
    await waitFor('the path on its groups', () => s.announced.paths.get('live/ff') !== undefined, 60_000);
    const sdp = await (await fetch(s.httpUrl('live/ff.sdp'))).text();
    expect(sdp).toMatch(/\r\nm=video 8002 RTP\/AVP 96\r\nc=IN IP4 239\.255\.43\.\d\/0\r\n/);
    expect(s.paths.clients.list().filter((c) => c.role === 'reader')).toEqual([]);
    const sapSent = (type: string): number => s.paths.counters.value('sap_packets', { type, result: 'sent' }) + s.paths.counters.value('sap_packets', { type, result: 'failed' });
    await waitFor('an announcement', () => sapSent('announcement') >= 1, 30_000);
    await s.close();
    srv = undefined;
    expect(sapSent('deletion')).toBe(1);
  }, 120_000);
});
