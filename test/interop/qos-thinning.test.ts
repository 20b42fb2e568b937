// Thinning against a real lossy link: ffmpeg reads a live path over UDP from a network namespace whose nftables drop
// 10 % of the server's RTP; the server judges it from its receiver reports, thins it (fewer video packets, key frames
// still, audio untouched), ffmpeg decodes with fewer errors than an unthinned reader on the same link, and when the
// loss is removed the reader steps back up. A reader on a clean link of the same stream is never thinned.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { ClientRecord } from '../../server/core/clients.js';
import { FfmpegReader } from '../helpers/ffmpeg-reader.js';
import { NetNs } from '../helpers/netns.js';
import { RrReader } from '../helpers/rr-reader.js';
import { waitFor, waitLive } from '../helpers/read.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { FfmpegPublisher, makeClip } from '../helpers/qos-stream.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function sessions(srv: TestServer): Promise<ClientRecord[]> {
  const res = await fetch(srv.httpUrl('api/v1/sessions'));
  return ((await res.json()) as { sessions: ClientRecord[] }).sessions;
}

describe('thinning of an RTSP reader on a lossy link', () => {
  it('thins the lossy reader within a few receiver reports, spares the clean one, and steps back up without loss', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tc-qos-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const clip = await makeClip(dir);
    const srv = await startTestServer({ host: '0.0.0.0', paths: { live: {}, plain: { qos: { thinning: false } } } });
    closers.push(() => srv.close());
    const ns = await NetNs.create({ name: `tc-qos-${process.pid}` });
    closers.push(() => ns.close());

    // One publisher feeds both paths the same packets: `plain` has qos.thinning false.
    const pub = FfmpegPublisher.start(clip, [srv.url('live'), srv.url('plain')]);
    closers.push(() => pub.stop());
    await waitLive(srv.url('live'), 'the publisher on /live');
    await waitLive(srv.url('plain'), 'the publisher on /plain');

    // 10 % of the server's RTP into the namespace is dropped; its RTCP (SRs) and RTSP pass.
    await ns.loss(10, { udpSourcePorts: String(srv.rtpPort) });
    const at = (p: string): string => `rtsp://${ns.hostAddress}:${srv.rtspPort}/${p}`;
    const lossy = FfmpegReader.start(at('live'), ns);
    const unthinned = FfmpegReader.start(at('plain'), ns);
    for (const r of [lossy, unthinned]) closers.push(() => r.stop());
    // The clean-link reader decodes nothing (rr-reader.ts): a decoder starved of CPU by a loaded machine
    // reports loss the link never had. Its receiver reports are true ones, every 500 ms.
    const clean = await RrReader.start(srv.rtspPort, srv.url('live'));
    closers.push(() => clean.close());

    const records = async (): Promise<{ lossy?: ClientRecord; unthinned?: ClientRecord; clean?: ClientRecord }> => {
      const all = (await sessions(srv)).filter((c) => c.role === 'reader');
      return {
        lossy: all.find((c) => c.path === 'live' && c.address === ns.nsAddress),
        unthinned: all.find((c) => c.path === 'plain'),
        clean: all.find((c) => c.path === 'live' && c.address === '127.0.0.1'),
      };
    };
    const cleanNeverThinned = (r: { clean?: ClientRecord }): void => {
      if (r.clean?.qos) expect(r.clean.qos.thinning, `the clean reader: ${JSON.stringify(r.clean)}`).toBe('none');
    };
    const why = (): string => `lossy ffmpeg:\n${lossy.stderrTail}\nunthinned ffmpeg:\n${unthinned.stderrTail}`;

    // Thinned within a few receiver reports: congested (non-reference frames withheld) or failing (key frames only).
    let r = await records();
    await waitFor(async () => {
      r = await records();
      if (process.env.QOS_DEBUG) console.log(JSON.stringify(r.clean?.qos), srv.rtsp.ports.sendErrors);
      cleanNeverThinned(r);
      return r.lossy?.qos?.thinning === 'non-reference' || r.lossy?.qos?.thinning === 'key-frames';
    }, 20_000, 'the lossy reader to be thinned', 250).catch((e: Error) => {
      throw new Error(`${e.message}; records: ${JSON.stringify(r)}\n${why()}`);
    });
    expect(['congested', 'failing']).toContain(r.lossy!.qos!.state);
    expect(r.lossy!.qos!.reports).toBeGreaterThan(0);
    if (process.env.QOS_DEBUG) console.log(JSON.stringify(r.lossy!.qos));
    expect(r.unthinned!.qos!.thinning).toBe('off');

    // Over the same stretch of stream: fewer video packets to the thinned reader than to the clean one,
    // key frames still, the same audio.
    const a0 = r;
    await waitFor(async () => {
      r = await records();
      cleanNeverThinned(r);
      return r.clean!.qos!.videoPackets - a0.clean!.qos!.videoPackets > 2000;
    }, 30_000, 'the clean reader to get 2000 more video packets', 250);
    const d = (k: 'videoPackets' | 'audioPackets' | 'keyFrames', who: 'lossy' | 'clean'): number => r[who]!.qos![k] - a0[who]!.qos![k];
    expect(d('videoPackets', 'lossy')).toBeLessThan(0.8 * d('videoPackets', 'clean'));
    expect(d('keyFrames', 'lossy')).toBeGreaterThan(0);
    expect(Math.abs(d('audioPackets', 'lossy') - d('audioPackets', 'clean'))).toBeLessThanOrEqual(Math.max(3, 0.05 * d('audioPackets', 'clean')));
    expect(lossy.video, why()).toBeGreaterThan(0);
    // The reader of the path with qos.thinning false is judged the same, and never thinned.
    expect(r.unthinned!.qos!.state).not.toBe('good');
    expect(r.unthinned!.qos!.thinnedFrames).toBe(0);

    // Decode errors so far: the thinned reader got fewer packets through the same loss, so fewer broken frames.
    const errors = { thinned: lossy.decodeErrors, unthinned: unthinned.decodeErrors };
    expect(errors.unthinned, JSON.stringify(errors)).toBeGreaterThan(errors.thinned);

    // The loss goes: clean reports bring the reader back up (one level per few reports) to everything.
    await ns.clear();
    await waitFor(async () => {
      r = await records();
      cleanNeverThinned(r);
      return r.lossy?.qos?.state === 'good' && r.lossy.qos.thinning === 'none';
    }, 30_000, 'the lossy reader to step back up', 250).catch((e: Error) => {
      throw new Error(`${e.message}; records: ${JSON.stringify(r)}\n${why()}`);
    });
    const v0 = lossy.video;
    await waitFor(() => lossy.video > v0 + 30, 15_000, 'ffmpeg to decode again at full rate');
    expect(r.clean!.qos!.thinnedFrames).toBe(0);
    expect(r.clean!.qos!.state).toBe('good');
    for (const x of [lossy, unthinned]) expect(x.exited, why()).toBe(false);
    // /metrics: readers by QoS state, and the thinning transitions the lossy reader went through (down, then back to none).
    const metrics = await (await fetch(srv.httpUrl('metrics'))).text();
    const value = (re: RegExp): number => Number(re.exec(metrics)?.[1] ?? NaN);
    expect(value(/^tidecast_readers_qos\{state="good"\} (\d+)/m)).toBeGreaterThanOrEqual(2);
    expect(value(/^tidecast_qos_thinning_transitions_total\{to="none"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    const down = value(/^tidecast_qos_thinning_transitions_total\{to="non-reference"\} (\d+)/m) || 0;
    expect(down + (value(/^tidecast_qos_thinning_transitions_total\{to="key-frames"\} (\d+)/m) || 0)).toBeGreaterThanOrEqual(1);
    onTestFinished(() => console.log(`decode errors with 10 % loss: thinned ${errors.thinned}, unthinned ${errors.unthinned}`));
  }, 90_000);
});
