// A well-behaved client for the attack tests: from 127.0.0.2 it plays a file over TCP interleaved, and shows it is still served.
import { connect, type Socket } from 'node:net';
import { expect } from 'vitest';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { waitFor } from './read.js';
import { RawRtspClient, bodyText } from './rtsp-client.js';

/** The second loopback address: the attacker is 127.0.0.1, everyone else comes from here. */
export const OTHER_ADDRESS = '127.0.0.2';

/** A TCP connection to `port` on 127.0.0.1 from `localAddress`. */
export function connectFrom(port: number, localAddress = OTHER_ADDRESS): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(s));
    s.once('error', reject);
  });
}

export class Bystander {
  private constructor(
    readonly client: RawRtspClient,
    private readonly url: string,
    private readonly session: string,
  ) {}

  /** Plays `path` (video track, TCP interleaved) from 127.0.0.2 and waits for its first packets. */
  static async start(port: number, path = 'sample.mp4'): Promise<Bystander> {
    const client = RawRtspClient.over(await connectFrom(port));
    const url = `rtsp://127.0.0.1:${port}/${path}`;
    const s = await client.request('SETUP', `${url}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    expect(s.status, bodyText(s)).toBe(200);
    const session = parseSession(s.headers.get('Session')!).id;
    const b = new Bystander(client, url, session);
    expect((await client.request('PLAY', url, { Session: session })).status).toBe(200);
    await waitFor(() => b.packets > 10, 20_000, 'the bystander to receive RTP');
    return b;
  }

  get packets(): number {
    return this.client.frames.filter((f) => f.channel === 0).length;
  }

  /** Still served: a request is answered and RTP flows again from the start of the file (which may have ended meanwhile). */
  async stillServed(): Promise<void> {
    expect(this.client.closed).toBe(false);
    const before = this.packets;
    const r = await this.client.request('PLAY', this.url, { Session: this.session, Range: 'npt=0.000-' });
    expect(r.status, bodyText(r)).toBe(200);
    await waitFor(() => this.packets > before + 10, 30_000, 'the bystander to receive RTP again');
  }

  close(): void {
    this.client.close();
  }
}
