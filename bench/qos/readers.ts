// Many light RTSP/UDP readers of one live path in one process, for bench/qos.ts's CPU case: each counts its RTP, and the
// first `lossy` of them send a receiver report claiming 15 % loss every 500 ms (so the server thins them); the others
// send clean ones. stdout: {"event":"playing"} once all play, then {"event":"result",...} after a `stop` line on stdin.
//
//   node --import tsx bench/qos/readers.ts --url rtsp://127.0.0.1:8554/live --n 200 --lossy 40
import { createSocket, type Socket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { buildReceiverReport } from '../../server/rtp/rtcp.js';
import { bodyText, RawRtspClient } from '../../test/helpers/rtsp-client.js';

interface Track {
  rtp: Socket;
  rtcp: Socket;
  serverRtcp: number;
  ssrc: number | undefined;
  packets: number;
  maxSeq: number;
}

const bind = (s: Socket): Promise<number> => new Promise((resolve, reject) => {
  s.once('error', reject);
  s.bind(0, '127.0.0.1', () => resolve(s.address().port));
});

async function pair(): Promise<{ rtp: Socket; rtcp: Socket; port: number }> {
  for (;;) {
    const rtp = createSocket('udp4');
    const port = await bind(rtp);
    if (port % 2 !== 0) {
      rtp.close();
      continue;
    }
    const rtcp = createSocket('udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        rtcp.once('error', reject);
        rtcp.bind(port + 1, '127.0.0.1', () => resolve());
      });
      return { rtp, rtcp, port };
    } catch {
      rtp.close();
      rtcp.close();
    }
  }
}

async function reader(url: string, rtspPort: number): Promise<{ c: RawRtspClient; tracks: Track[] }> {
  const c = await RawRtspClient.open(rtspPort);
  const d = await c.request('DESCRIBE', url, { Accept: 'application/sdp' });
  if (d.status !== 200) throw new Error(`DESCRIBE ${d.status}: ${bodyText(d)}`);
  const controls = [...bodyText(d).matchAll(/a=control:(trackID=\d+)/g)].map((m) => m[1]!);
  let session = '';
  const tracks: Track[] = [];
  for (const control of controls) {
    const p = await pair();
    const headers: Record<string, string> = { Transport: `RTP/AVP;unicast;client_port=${p.port}-${p.port + 1}` };
    if (session) headers.Session = session;
    const s = await c.request('SETUP', `${url}/${control}`, headers);
    if (s.status !== 200) throw new Error(`SETUP ${s.status}: ${bodyText(s)}`);
    session = s.headers.get('Session')!.split(';')[0]!;
    const serverRtcp = Number(/server_port=\d+-(\d+)/.exec(s.headers.get('Transport') ?? '')?.[1] ?? 0);
    const t: Track = { rtp: p.rtp, rtcp: p.rtcp, serverRtcp, ssrc: undefined, packets: 0, maxSeq: 0 };
    p.rtp.on('message', (m) => {
      t.packets++;
      t.ssrc ??= m.readUInt32BE(8);
      t.maxSeq = m.readUInt16BE(2);
    });
    tracks.push(t);
  }
  const r = await c.request('PLAY', url, { Session: session });
  if (r.status !== 200) throw new Error(`PLAY ${r.status}: ${bodyText(r)}`);
  return { c, tracks };
}

function report(t: Track, fractionLost: number): void {
  if (t.ssrc === undefined) return;
  const rr = buildReceiverReport({
    ssrc: 0x5eed,
    reports: [{ ssrc: t.ssrc, fractionLost, cumulativeLost: 0, highestSeq: t.maxSeq, jitter: 90, lastSr: 0, delaySinceLastSr: 0 }],
  });
  t.rtcp.send(rr, t.serverRtcp, '127.0.0.1');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { url: { type: 'string' }, n: { type: 'string' }, lossy: { type: 'string' } } });
  const url = values.url!;
  const rtspPort = Number(new URL(url).port);
  const n = Number(values.n ?? 200);
  const lossy = Number(values.lossy ?? 0);
  const readers: { c: RawRtspClient; tracks: Track[] }[] = [];
  for (let i = 0; i < n; i += 10) {
    readers.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => reader(url, rtspPort)))));
  }
  // 15 % lost (38/256) from the lossy readers, 0 from the others: RTCP keeps every session alive.
  const timer = setInterval(() => readers.forEach((r, i) => r.tracks.forEach((t) => report(t, i < lossy ? 38 : 0))), 500);
  console.log(JSON.stringify({ event: 'playing' }));
  const rl = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => rl.on('line', (l) => l.trim() === 'stop' && resolve()));
  clearInterval(timer);
  const packets = readers.map((r) => r.tracks.reduce((s, t) => s + t.packets, 0));
  console.log(JSON.stringify({ event: 'result', packets: packets.reduce((a, b) => a + b, 0), lossyPackets: packets.slice(0, lossy).reduce((a, b) => a + b, 0) }));
  for (const r of readers) {
    r.c.close();
    for (const t of r.tracks) {
      t.rtp.close();
      t.rtcp.close();
    }
  }
  rl.close();
}

await main();
