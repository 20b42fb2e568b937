// bench/qos.ts part 3: what one ffmpeg reader over a rate-limited UDP link decodes, with thinning and renditions off
// (`rate-off`) and on (`rate-on`, 480p and 240p renditions). One reader at a time: a rate limit is shared by every
// reader behind it. After a warm-up (the QoS judge settles, the reader is switched down if it is going to be), the
// decoded video frames per second, the decoder's error lines and the rendition/thinning seen in the API are measured.
import type { ClientRecord } from '../../server/core/clients.js';
import { FfmpegReader } from '../../test/helpers/ffmpeg-reader.js';
import type { NetNs } from '../../test/helpers/netns.js';
import type { TestServer } from '../../test/helpers/server.js';

export const RATES_KBIT = [500, 1000, 2000];

/** The two paths part 3 reads; both are fed the same 960x540 2 Mbit/s clip (qos.ts). */
export const RATE_PATHS = {
  'rate-off': { qos: { thinning: false, renditions: false } },
  'rate-on': {
    renditions: [
      { name: '480p', height: 480, videoBitrate: '400k' },
      { name: '240p', height: 240, videoBitrate: '150k' },
    ],
  },
};

export interface RateRow {
  kbit: number;
  off: { fps: number; errors: number };
  on: { fps: number; errors: number; seen: string };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function readers(srv: TestServer): Promise<ClientRecord[]> {
  const res = await fetch(srv.httpUrl('api/v1/sessions'));
  return ((await res.json()) as { sessions: ClientRecord[] }).sessions.filter((c) => c.role === 'reader');
}

/** One reader of `path` in `ns` for warm-up + `seconds`: fps and decode errors over the measured part, and what the API said each second. */
async function measure(srv: TestServer, ns: NetNs, path: string, warmupS: number, seconds: number): Promise<{ fps: number; errors: number; seen: string }> {
  const r = FfmpegReader.start(`rtsp://${ns.hostAddress}:${srv.rtspPort}/${path}`, ns);
  try {
    await sleep(warmupS * 1000);
    const a = { v: r.video, e: r.decodeErrors, t: performance.now() };
    const seen = new Map<string, number>();
    for (let i = 0; i < seconds; i++) {
      await sleep(1000);
      const q = (await readers(srv)).find((c) => c.path === path && c.address === ns.nsAddress)?.qos;
      const k = q ? `${q.rendition ?? 'main'}/${q.thinning}` : '?';
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    const dt = (performance.now() - a.t) / 1000;
    return { fps: (r.video - a.v) / dt, errors: r.decodeErrors - a.e, seen: [...seen].map(([k, n]) => `${k} ${n}`).join(', ') };
  } finally {
    await r.stop();
    // ffmpeg killed sends no TEARDOWN: end its session now, so the next case starts on the main path.
    for (const c of await readers(srv)) await fetch(srv.httpUrl(`api/v1/sessions/${c.id}`), { method: 'DELETE' });
  }
}

export async function rateCase(srv: TestServer, ns: NetNs, kbit: number, warmupS: number, seconds: number): Promise<RateRow> {
  await ns.clear();
  await ns.rateLimit(kbit / 8, { udpSourcePorts: String(srv.rtpPort) });
  const off = await measure(srv, ns, 'rate-off', 6, seconds);
  const on = await measure(srv, ns, 'rate-on', warmupS, seconds);
  await ns.clear();
  return { kbit, off: { fps: off.fps, errors: off.errors }, on };
}

export function printRateRows(rows: RateRow[]): void {
  console.log(`\n| rate limit | fps, off | decode errors, off | fps, thinning+renditions on | decode errors, on | rendition/thinning seen (1 s samples) |`);
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.kbit / 1000} Mbit/s | ${r.off.fps.toFixed(1)} | ${r.off.errors} | ${r.on.fps.toFixed(1)} | ${r.on.errors} | ${r.on.seen} |`);
  }
}
