// A live HLS muxer in the client registry (core/clients.ts): HLS players are anonymous and stateless,
// so the record is the muxer, with what it served, its request rate and the client addresses seen.
import type { Request } from 'express';
import { BitrateMeter, type ClientRegistry } from '../../core/clients.js';
import type { LiveHlsMuxer } from './live-muxer.js';

/** Addresses remembered per muxer: a flood of clients must not grow the record without bound. */
const MAX_SEEN = 32;

export class HlsAudience {
  readonly id: string;
  private bytes = 0;
  private requests = 0;
  private readonly seen: string[] = [];
  private lastAddress: string | undefined;
  private lastUser: string | undefined;
  private readonly bitrate = new BitrateMeter();
  private readonly reqRate = new BitrateMeter();
  private readonly since = new Date().toISOString();
  private readonly remove: () => void;

  constructor(clients: ClientRegistry, path: string, mux: LiveHlsMuxer, kick: (reason: string) => void) {
    this.id = clients.newId('hls');
    this.remove = clients.add(this.id, {
      snapshot: () => ({
        id: this.id,
        role: 'reader',
        protocol: 'hls',
        path,
        ...(this.lastUser ? { user: this.lastUser } : {}),
        ...(this.lastAddress ? { address: this.lastAddress } : {}),
        since: this.since,
        bytes: this.bytes,
        bitrate: this.bitrate.rate(this.bytes),
        state: mux.failure ? 'stopped' : mux.ended ? 'ended' : mux.ready ? 'playing' : 'starting',
        // The meter counts "bytes" as bits per second: requests x 1000 keeps three decimals.
        requestRate: Math.round(this.reqRate.rate(this.requests * 1000) / 80) / 100,
        clientsSeen: [...this.seen],
      }),
      kick,
    });
  }

  /** One answered request of `bytes` from `req`'s client. */
  note(req: Request, bytes: number, user: unknown): void {
    this.bytes += bytes;
    this.requests++;
    const a = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    this.lastAddress = a;
    if (typeof user === 'string' && user !== '') this.lastUser = user;
    if (!this.seen.includes(a)) {
      if (this.seen.length >= MAX_SEEN) this.seen.shift();
      this.seen.push(a);
    }
  }

  /** The muxer stopped: the record goes. */
  close(): void {
    this.remove();
  }
}
