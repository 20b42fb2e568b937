// Publishes media/sample-av1.mp4 as AV1 over RTSP with our packetizer (ffmpeg 5.1 and GStreamer 1.22 have no AV1 RTP): temporal units read with `ffmpeg -c copy -f obu`, paced at the clip's frame rate, looped.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OBU_TEMPORAL_DELIMITER, splitObus, withSize } from '../../server/rtp/codecs/av1-obu.js';
import { packetizeAv1 } from '../../server/rtp/codecs/av1.js';
import { buildRtpPacket } from '../../server/rtp/packet.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { RawPublisher } from './raw-publisher.js';
import { sleep } from './rtsp-client.js';
import { MEDIA_DIR } from './server.js';
import { describeRun, run } from './spawn.js';

export const AV1_SDP = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=av1', 't=0 0', 'm=video 0 RTP/AVP 96', 'a=rtpmap:96 AV1/90000', 'a=control:trackID=0', ''].join('\r\n');

/** The clip's temporal units (OBUs with size fields, temporal delimiters dropped). */
export async function av1TemporalUnits(file = `${MEDIA_DIR}/sample-av1.mp4`): Promise<Uint8Array[][]> {
  const dir = mkdtempSync(join(tmpdir(), 'tidecast-av1-'));
  try {
    const out = join(dir, 'clip.obu');
    const args = ['-v', 'error', '-y', '-i', file, '-c', 'copy', '-f', 'obu', out];
    const r = await run(resolveFfmpeg(), args, { timeoutMs: 20_000 });
    if (r.code !== 0) throw new Error(describeRun(resolveFfmpeg(), args, r));
    const tus: Uint8Array[][] = [];
    for (const o of splitObus(new Uint8Array(readFileSync(out))) ?? []) {
      if (o.type === OBU_TEMPORAL_DELIMITER) tus.push([]);
      else tus[tus.length - 1]?.push(withSize(o));
    }
    return tus.filter((t) => t.length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Av1PublishOptions {
  fps?: number;
  /** Leave out the second packet of every `lossEvery`-th unit that has one (its sequence number is still used): a lossy publisher. */
  lossEvery?: number;
}

/** Publishes the temporal units in a loop at `fps` (RTP clock 90 kHz) to `url` until `stop()`. */
export async function publishAv1(rtspPort: number, url: string, tus: Uint8Array[][], opts: Av1PublishOptions = {}): Promise<{ stop(): void; sent(): number; lost(): number }> {
  const fps = opts.fps ?? 15;
  const pub = await RawPublisher.start(rtspPort, url, AV1_SDP, 1);
  let stopped = false;
  let units = 0;
  let lost = 0;
  void (async () => {
    let seq = 0;
    const t0 = Date.now();
    for (let n = 0; !stopped; n++) {
      const payloads = packetizeAv1(tus[n % tus.length]!, 1200);
      for (const [i, payload] of payloads.entries()) {
        if (stopped) return;
        if (opts.lossEvery && n % opts.lossEvery === opts.lossEvery - 1 && i === 1) {
          seq++;
          lost++;
          continue;
        }
        const pkt = buildRtpPacket({ payloadType: 96, sequenceNumber: seq++ & 0xffff, timestamp: (n * (90000 / fps)) >>> 0, ssrc: 0x5a1, marker: i === payloads.length - 1 }, payload);
        await pub.send(0, pkt).catch(() => undefined);
      }
      units++;
      // Real-time pacing of the publisher (the next unit's due time), not a wait before an assert.
      await sleep(Math.max(0, t0 + ((n + 1) * 1000) / fps - Date.now()));
    }
  })();
  return {
    stop: () => {
      stopped = true;
      pub.close();
    },
    sent: () => units,
    lost: () => lost,
  };
}
