// Sending RTP on the server's RTP socket: batched into sendmmsg once per turn, or plain dgram without the addon.
import type { Socket } from 'node:dgram';
import { SendBatch } from './batch.js';
import type { UdpBatchAddon } from './native.js';

/** Where one reader's track goes; made once at SETUP so a send parses nothing. */
export interface UdpDestination {
  readonly address: string;
  readonly port: number;
  /** The packed sockaddr for the addon; undefined without it (or for an address it cannot pack). */
  readonly slot: Uint8Array | undefined;
  /** Which fan-out worker sends to it (all of one destination's packets go through one, in order). */
  readonly lane?: number;
}

export interface UdpSenderStats {
  /** Datagrams handed to the kernel. */
  sent: number;
  /** Datagrams the kernel refused or that found the queue full. */
  dropped: number;
  /** System calls made (for the addon, one per batch). */
  calls: number;
}

export interface UdpSender {
  readonly kind: 'sendmmsg' | 'sendmmsg-workers' | 'dgram';
  readonly stats: UdpSenderStats;
  /**
   * A reader's destination, resolved once. `group` (the RTSP session) keeps one reader's tracks
   * together, so readers, each with the same mix of video and audio, are what is spread.
   */
  destination(address: string, port: number, group?: object): UdpDestination;
  /** Queues (or sends) `data` to `to`. `data` must not change afterwards: readers share it. */
  send(data: Uint8Array, to: UdpDestination): void;
  /** Sends what is queued now (the server's shutdown, tests). */
  flush(): void;
  /** Sends what it can and forgets the rest: the socket is closing. */
  close(): void;
}

/** Node's own dgram send: one call (and one address lookup) per datagram. */
export class DgramSender implements UdpSender {
  readonly kind = 'dgram';
  readonly stats: UdpSenderStats = { sent: 0, dropped: 0, calls: 0 };

  constructor(private readonly sock: Socket) {}

  destination(address: string, port: number): UdpDestination {
    return { address, port, slot: undefined };
  }

  send(data: Uint8Array, to: UdpDestination): void {
    this.stats.calls++;
    this.sock.send(data, to.port, to.address, this.onSent);
  }

  flush(): void {}

  close(): void {}

  // ICMP port unreachable from a client that went away surfaces here; it must not crash the server.
  private readonly onSent = (err: Error | null): void => {
    if (err) this.stats.dropped++;
    else this.stats.sent++;
  };
}

/** How soon to try again after the kernel's send buffer was full. */
const RETRY_MS = 1;

/**
 * Sends of one event-loop turn, flushed together in a microtask with one addon call on the main
 * thread: a live packet to N readers leaves in ceil(N/1024) sendmmsg calls.
 */
export class BatchSender implements UdpSender {
  readonly kind = 'sendmmsg';
  readonly stats: UdpSenderStats = { sent: 0, dropped: 0, calls: 0 };
  private readonly batch: SendBatch;
  private scheduled = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly addon: UdpBatchAddon,
    private readonly fd: number,
    /** For destinations the addon cannot pack (a scoped IPv6 address, say). */
    private readonly fallback: DgramSender,
  ) {
    this.batch = new SendBatch(addon.slotSize);
  }

  destination(address: string, port: number): UdpDestination {
    return { address, port, slot: this.addon.packAddress(address, port) };
  }

  send(data: Uint8Array, to: UdpDestination): void {
    if (!to.slot) return this.fallback.send(data, to);
    if (!this.batch.add(data, to.slot)) {
      this.stats.dropped++;
      return;
    }
    if (!this.scheduled && !this.retry) {
      this.scheduled = true;
      queueMicrotask(this.onTurnEnd);
    }
  }

  flush(): void {
    const b = this.batch;
    if (b.queued === 0) return;
    this.stats.calls++;
    const [done, sent, skipped, , blocked] = this.addon.sendRuns(this.fd, b.packets, b.counts, b.slots);
    this.stats.sent += sent;
    this.stats.dropped += skipped;
    b.keepFrom(done);
    // Blocked: the kernel buffer is full; the rest goes out when it has drained, in order.
    if (blocked && b.queued > 0 && !this.retry) this.retry = setTimeout(this.onRetry, RETRY_MS);
  }

  close(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
    this.flush();
    clearTimeout(this.retry);
    this.retry = undefined;
    this.batch.clear();
  }

  private readonly onTurnEnd = (): void => {
    this.scheduled = false;
    if (!this.retry) this.flush();
  };

  private readonly onRetry = (): void => {
    this.retry = undefined;
    this.flush();
  };
}
