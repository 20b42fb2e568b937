// UDP multicast with real clients, in a network namespace this test creates (CI runs as root):
// two ffmpeg readers with -rtsp_transport udp_multicast decode a live path, and a raw receiver in
// the groups sees every RTP packet exactly once, as many as the server's one sender says it sent.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { sleep } from '../helpers/rtsp-client.js';
import { describeRun, run } from '../helpers/spawn.js';

const ROOT = resolve(import.meta.dirname, '../..');
const NS = `tc-mc-${randomBytes(4).toString('hex')}`;
// A fresh namespace has every port free; the range is small so the groups are known in advance.
const RTSP_PORT = 8554;
const RANGE = '239.255.42.0/29';
const GROUPS = ['239.255.42.1', '239.255.42.2', '239.255.42.3', '239.255.42.4', '239.255.42.5', '239.255.42.6'];
const MC_RTP = 8002;
const URL = `rtsp://127.0.0.1:${RTSP_PORT}/live/mc`;

let ffmpeg: string;
let dir: string;
let nsCreated = false;
const children: ChildProcess[] = [];
let serverLog = '';

async function ip(...args: string[]): Promise<void> {
  const r = await run('ip', args, { timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')} failed (this test needs root and iproute2's ip netns): ${r.stderr.trim()}`);
}

/** Starts a long-running program inside the namespace; `ip netns exec` execs it, so the pid is the program's. */
function inNs(cmd: string, args: string[], onOut?: (s: string) => void): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', NS, cmd, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.stdout!.on('data', (d: Buffer) => onOut?.(d.toString()));
  child.stderr!.on('data', (d: Buffer) => onOut?.(d.toString()));
  return child;
}

async function waitFor(what: string, ok: () => boolean, ms: number, poll?: () => Promise<void>): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    await poll?.();
    if (ok()) return;
    if (Date.now() - t0 > ms) throw new Error(`${what} did not happen within ${ms} ms; server log:\n${serverLog.slice(-3000)}`);
    await sleep(100);
  }
}

/** The live path's packet count from the server's API (its HTTP port, 8888, is inside the namespace). */
let lastPathPackets = 0;
const pathPackets = (): number => lastPathPackets;
async function pollPathPackets(): Promise<void> {
  const js = "fetch('http://127.0.0.1:8888/api/v1/paths').then((r) => r.json()).then((j) => console.log(JSON.stringify(j)), () => console.log('null'))";
  const r = await run('ip', ['netns', 'exec', NS, process.execPath, '-e', js], { timeoutMs: 20_000 });
  try {
    const body = JSON.parse(r.stdout) as { live?: { name: string; packets: number }[] } | null;
    lastPathPackets = body?.live?.find((p) => p.name === 'live/mc')?.packets ?? 0;
  } catch {
    lastPathPackets = 0;
  }
}

/** Log lines of the server (pino JSON) whose message matches. */
const logged = (msg: RegExp): Record<string, unknown>[] =>
  serverLog
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => msg.test(String(l.msg)));

// Joins every group of the range on the RTP port and counts packets per SSRC and seq; prints the
// tally whenever it changed (every 100 ms at most). A duplicate would mean a packet went to the
// group more than once. Its 4 MB socket buffer holds far more than the test sends.
const RECEIVER = `
import { createSocket } from 'node:dgram';
const [port, ...groups] = process.argv.slice(2);
const seen = new Map(); let packets = 0, duplicates = 0, said = -1;
const s = createSocket({ type: 'udp4', reuseAddr: true });
s.on('message', (m) => {
  packets++;
  const key = m.readUInt32BE(8) + ':' + m.readUInt16BE(2);
  if (seen.has(key)) duplicates++; else seen.set(key, 1);
});
s.bind(Number(port), () => {
  s.setRecvBufferSize(4 * 1024 * 1024);
  for (const g of groups) s.addMembership(g, '127.0.0.1');
  console.log('ready');
  setInterval(() => {
    if (packets === said) return;
    said = packets;
    console.log(JSON.stringify({ packets, unique: seen.size, duplicates }));
  }, 100);
});
process.on('SIGINT', () => process.exit(0));
`;

beforeAll(async () => {
  ffmpeg = resolveFfmpeg();
  dir = mkdtempSync(join(tmpdir(), 'tc-mc-'));
  // No skip when namespaces are unavailable: ip fails and so does the suite.
  await ip('netns', 'add', NS);
  nsCreated = true;
  await ip('-n', NS, 'link', 'set', 'lo', 'up');
  // Multicast over loopback inside the namespace: sends and joins resolve to lo.
  await ip('-n', NS, 'route', 'add', '224.0.0.0/4', 'dev', 'lo');

  const config = join(dir, 'tidecast.yaml');
  writeFileSync(config, `multicastIPRange: ${RANGE}\nmulticastRTPPort: ${MC_RTP}\nmulticastRTCPPort: ${MC_RTP + 1}\nmulticastTTL: 1\n`);
  writeFileSync(join(dir, 'rx.mjs'), RECEIVER);
  inNs(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'serve', '--rtsp-port', String(RTSP_PORT), '--rtp-port', '8000', '--media', 'media', '--config', config], (s) => (serverLog += s));
  await waitFor('server start', () => serverLog.includes('RTSP on port'), 20_000);
  inNs(ffmpeg, ['-v', 'error', '-re', '-stream_loop', '-1', '-i', 'media/sample.mp4', '-c', 'copy', '-f', 'rtsp', URL], (s) => (serverLog += `[publisher] ${s}`));
  await waitFor('publishing', () => logged(/ RECORD \/\S+: publishing/).length > 0, 60_000);
  // A GOP in the cache and packets on both tracks: the path's packet count, read from the API.
  await waitFor('1 s of packets from the publisher', () => pathPackets() > 100, 60_000, pollPathPackets);
}, 150_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await sleep(200);
  if (nsCreated) await ip('netns', 'del', NS);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A reader that joins the group mid-GOP (the other reader already started the sender) reads
// B-frames whose references went out before it joined; ffmpeg logs these until the next key frame.
// Only these may appear, and only for one reader: the first one starts at the cached key frame.
const MID_GOP_JOIN = /^\[h264 @ 0x[0-9a-f]+\] (co located POCs unavailable|Missing reference picture, default is \d+|reference picture missing during reorder|mmco: unref short failure)$/;

describe('UDP multicast in a network namespace', () => {
  it('two ffmpeg readers decode; the group carries each packet once, as many as the one sender sent', async () => {
    let rxOut = '';
    const rx = inNs(process.execPath, [join(dir, 'rx.mjs'), String(MC_RTP), ...GROUPS], (s) => (rxOut += s));
    await waitFor('receiver ready', () => rxOut.includes('ready'), 30_000);

    // -buffer_size 4 MB: the readers' sockets hold far more than the 4 s they read, so a reader
    // starved of CPU by the rest of the suite reads late but loses nothing.
    const args = ['-v', 'error', '-rtsp_transport', 'udp_multicast', '-buffer_size', '4194304', '-i', URL, '-t', '4', '-f', 'framecrc', '-'];
    const readers = await Promise.all([0, 1].map(() => run('ip', ['netns', 'exec', NS, ffmpeg, ...args], { timeoutMs: 60_000 })));
    // The readers sent TEARDOWN: the sender stops and logs what it sent.
    await waitFor('sender stop', () => logged(/: multicast sender stopped/).length > 0, 30_000);
    const sentCount = logged(/: multicast sender stopped/)[0]!.packets as number;
    const tallyOf = (): { packets: number; unique: number; duplicates: number } => JSON.parse(rxOut.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{"packets":0}');
    // Every datagram the sender sent is already in the receiver's socket: wait until it has read them.
    await waitFor(`the receiver to count ${sentCount} packets`, () => tallyOf().packets >= sentCount, 30_000);
    const done = new Promise<void>((r) => rx.once('close', () => r()));
    rx.kill('SIGINT');
    await done;

    const frames = readers.map((r) => r.stdout.split('\n').filter((l) => /^0,/.test(l)).length);
    const all = readers.map((r, i) => `${describeRun('ffmpeg', args, r)}\nvideo frames: ${frames[i]}`).join('\n');
    // The reader that started the sender got the cached GOP: a clean start and all 4 s (30 fps).
    expect(readers.some((r, i) => r.stderr.trim() === '' && frames[i]! >= 110), all).toBe(true);
    for (const [i, r] of readers.entries()) {
      expect(r.code, all).toBe(0);
      const stray = r.stderr.split('\n').filter((l) => l.trim() !== '' && !MID_GOP_JOIN.test(l.trim()));
      expect(stray, all).toEqual([]);
      // A joiner decodes from its first key frame on: at most one 2 s GOP later.
      expect(frames[i], all).toBeGreaterThanOrEqual(50);
    }

    const tally = tallyOf();
    const started = logged(/: multicast sender started/);
    const stopped = logged(/: multicast sender stopped/);
    expect(started, serverLog.slice(-3000)).toHaveLength(1);
    expect(stopped).toHaveLength(1);
    const sent = stopped[0]!.packets as number;
    // Two readers, one copy: with per-reader sends the receiver would count every packet twice.
    expect(tally.duplicates).toBe(0);
    expect(sent).toBeGreaterThan(150);
    expect(tally.packets).toBe(sent);
    expect(tally.unique).toBe(sent);
    // Both sessions really were multicast readers of the one sender.
    expect(logged(/ PLAY \/\S+: started live \(multicast\)/)).toHaveLength(2);
    expect(logged(/ PLAY \/\S+: started live \((udp|tcp)\)/)).toHaveLength(0);
  }, 180_000);
});
