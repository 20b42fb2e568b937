// Source-based switching to a lower rendition against a real rate-limited link: ffmpeg reads a ~2 Mbit/s live path over
// UDP from a network namespace whose nftables let only 800 kbit/s of the server's RTP through. The server sees its
// receiver reports stay failing, switches it to the 480p rendition at a key frame (300 kbit/s video + 96 kbit/s audio:
// half the limit, so that key frames and an encoder catching up on a loaded machine fit too), and ffmpeg decodes on
// without an error at the new size; the limit goes and the reader returns to the main path.
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { ClientRecord } from '../../server/core/clients.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { NetNs } from '../helpers/netns.js';
import { UDP_BUFFER, waitFor, waitLive } from '../helpers/read.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { FfmpegPublisher, makeClip } from '../helpers/qos-stream.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function reader(srv: TestServer, ns: NetNs): Promise<ClientRecord | undefined> {
  const res = await fetch(srv.httpUrl('api/v1/sessions'));
  return ((await res.json()) as { sessions: ClientRecord[] }).sessions.find((c) => c.role === 'reader' && c.address === ns.nsAddress);
}

/**
 * ffmpeg decoding the video inside the namespace, one thread (so each frame's errors are printed before its
 * showinfo line), its log on stderr with levels: frame sizes and errors in the order they happened. Its RTP
 * reordering waits up to 1 s (not 0.1 s) for a missing packet: on a loaded machine ffmpeg itself can fall
 * that far behind reading its socket, and would count packets it reads late as lost.
 */
function decoder(url: string, ns: NetNs): { child: ChildProcess; log: () => string; done: Promise<void> } {
  const args = ['-loglevel', 'level+info', '-rtsp_transport', 'udp', ...UDP_BUFFER, '-max_delay', '1000000', '-threads', '1', '-i', url, '-map', '0:v', '-vf', 'showinfo', '-f', 'null', '-'];
  const child = ns.spawn(resolveFfmpeg(), args);
  let text = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (text += d.length + text.length > 4_000_000 ? '' : d));
  child.stdout!.resume();
  const done = new Promise<void>((ok) => child.once('close', () => ok()));
  return { child, log: () => text, done };
}

/** Each decoded frame's size, with the offset of its showinfo line in the log. */
const frames = (log: string): { size: string; at: number }[] =>
  [...log.matchAll(/\[Parsed_showinfo[^\]]*\] \[info\] n:\s*\d+ .*? s:(\d+x\d+)/g)].map((m) => ({ size: m[1]!, at: m.index }));
/** The decoder's (and the RTP demuxer's) errors after `from` in the log. */
const errorsAfter = (log: string, from: number): string[] => log.slice(from).split('\n').filter((l) => /\[(error|fatal)\]/.test(l));

describe('rendition switching of an RTSP reader on a rate-limited link', () => {
  it('moves the reader to the 480p rendition under an 800 kbit/s limit, decoding cleanly, and back to the main path when it lifts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tc-qsw-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    // 960x540 noise at 2 Mbit/s (+ 96 kbit/s AAC): about 2.2 Mbit/s of RTP, well over the limit.
    const clip = await makeClip(dir, '2000k', 'switch.mp4', '960x540');
    const renditions = [
      { name: '240p', height: 240, videoBitrate: '150k' },
      { name: '480p', height: 480, videoBitrate: '300k' },
    ];
    const srv = await startTestServer({ host: '0.0.0.0', paths: { live: { renditions, sourceOnDemandCloseAfter: 1 } } });
    closers.push(() => srv.close());
    const ns = await NetNs.create({ name: `tc-qsw-${process.pid}` });
    closers.push(() => ns.close());
    const pub = FfmpegPublisher.start(clip, [srv.url('live')]);
    closers.push(() => pub.stop());
    await waitLive(srv.url('live'), 'the publisher on /live');

    // 100 kbytes/s (800 kbit/s) of the server's RTP into the namespace; its RTCP and RTSP pass.
    await ns.rateLimit(100, { udpSourcePorts: String(srv.rtpPort) });
    const d = decoder(`rtsp://${ns.hostAddress}:${srv.rtspPort}/live`, ns);
    closers.push(async () => {
      d.child.kill('SIGKILL');
      await d.done;
    });
    let r: ClientRecord | undefined;
    const why = (): string => `record: ${JSON.stringify(r)}\nffmpeg:\n${d.log().slice(-3000)}`;
    const wait = (cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> =>
      waitFor(cond, ms, what, 250).catch((e: Error) => {
        throw new Error(`${e.message}\n${why()}`);
      });

    await wait(async () => {
      r = await reader(srv, ns);
      return r?.qos?.rendition === '480p';
    }, 60_000, 'the reader to be switched to the 480p rendition');
    // Frames at the rendition's size, and no error from the first of them on.
    await wait(() => frames(d.log()).filter((f) => f.size === '854x480').length >= 30, 20_000, '30 frames of the rendition at the reader');
    expect(await (await fetch(srv.httpUrl('metrics'))).text()).toMatch(/^tidecast_readers_on_rendition\{path="live",rendition="480p"\} 1$/m);
    const down = frames(d.log()).find((f) => f.size === '854x480')!.at;
    if (process.env.QOS_DEBUG) (await import('node:fs')).writeFileSync('/tmp/qsw.log', d.log());
    expect(errorsAfter(d.log(), down), why()).toEqual([]);
    expect(r!.qos!.state, why()).toBe('good');

    // The limit goes: after a good spell the reader is switched back to the main path, and decodes it cleanly.
    await ns.clear();
    await wait(async () => {
      r = await reader(srv, ns);
      return r?.qos?.rendition === 'main';
    }, 60_000, 'the reader to return to the main path');
    await wait(() => frames(d.log().slice(down)).filter((f) => f.size === '960x540').length >= 30, 20_000, '30 frames of the main path again');
    if (process.env.QOS_DEBUG) (await import('node:fs')).writeFileSync('/tmp/qsw.log', d.log());
    const up = down + frames(d.log().slice(down)).find((f) => f.size === '960x540')!.at;
    expect(errorsAfter(d.log(), up), why()).toEqual([]);
    // Main, the rendition, main: never down to 240p, and the rendition's reader is gone.
    const runs = frames(d.log()).map((f) => f.size).filter((s, i, all) => i === 0 || s !== all[i - 1]);
    expect(runs, why()).toEqual(['960x540', '854x480', '960x540']);
    expect(srv.paths.livePath('live~480p').stream?.readerCount ?? 0).toBe(0);
    const metrics = await (await fetch(srv.httpUrl('metrics'))).text();
    expect(metrics).toMatch(/^tidecast_qos_rendition_switches_total\{to="480p"\} 1$/m);
    expect(metrics).toMatch(/^tidecast_qos_rendition_switches_total\{to="main"\} 1$/m);
    expect(metrics).not.toMatch(/to="240p"/);
    onTestFinished(() => console.log(`rendition switch: ${JSON.stringify(r?.qos)}`));
  }, 150_000);
});
