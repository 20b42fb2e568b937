// Admission on one listening port: at most maxConnections sockets, and maxConnectionsPerAddress from one client address.
import type { Socket } from 'node:net';
import type { NoticeLog } from './notice-log.js';

export interface PortLimits {
  maxConnections: number;
  maxConnectionsPerAddress: number;
}

/**
 * A refused socket keeps its reason here until its protocol has answered it: the RTSP port answers
 * RTSP 503, the HTTP port 503 JSON, a WebSocket a close frame 1013, each once the first bytes say
 * which (a tunnel's POST half belongs to a GET already counted, so it is let through).
 */
const refusals = new WeakMap<object, { why: string; pardon: () => void }>();

/** Why `socket` was refused at its port, or undefined when it was admitted. */
export function refusalOf(socket: object): string | undefined {
  return refusals.get(socket)?.why;
}

/**
 * Lets a refused socket through after all: a tunnel's POST half, which belongs to its GET's
 * connection (counted already). Its grace-period deadline is cancelled.
 */
export function letThrough(socket: object): void {
  refusals.get(socket)?.pardon();
  refusals.delete(socket);
}

/** A refused socket may take this long to send its first request before it is cut off unanswered. */
export const REFUSED_GRACE_MS = 2000;
/** Refused sockets that may wait for their request even when maxConnections is tiny (a tunnel POST among them). */
const MIN_WAITING = 64;

export const clientAddress = (socket: { remoteAddress?: string | undefined }): string => (socket.remoteAddress ?? '').replace(/^::ffff:/, '');

export class PortGuard {
  private open = 0;
  private readonly perAddress = new Map<string, number>();
  /** Refused sockets waiting for their request to be answered in their protocol. */
  private waiting = 0;
  /** Refusals since the start (metrics, the soak benchmark). */
  refused = 0;

  constructor(
    /** 'RTSP' or 'HTTP', for the reasons and logs. */
    readonly port: string,
    private readonly limits: PortLimits,
    private readonly notices: NoticeLog,
    /** Answers a refused socket at once, without reading it: used when too many refused ones wait already. */
    private readonly answerNow: (socket: Socket, reason: string) => void,
  ) {}

  /** Sockets admitted and still open. */
  get size(): number {
    return this.open;
  }

  /** Admitted sockets open from `address`. */
  from(address: string): number {
    return this.perAddress.get(address) ?? 0;
  }

  /**
   * Counts a new socket until it closes, or refuses it: then the reason is returned (and kept for
   * refusalOf), and the socket is destroyed after REFUSED_GRACE_MS if its protocol has not closed it.
   */
  admit(socket: Socket): string | undefined {
    const address = clientAddress(socket);
    const mine = this.from(address);
    const why = this.reasonToRefuse(address, mine);
    if (why !== undefined) {
      this.refuse(socket, address, why);
      return why;
    }
    this.open++;
    this.perAddress.set(address, mine + 1);
    socket.once('close', () => {
      this.open--;
      const n = (this.perAddress.get(address) ?? 1) - 1;
      if (n <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, n);
    });
    return undefined;
  }

  private reasonToRefuse(address: string, mine: number): string | undefined {
    const { maxConnections, maxConnectionsPerAddress } = this.limits;
    if (this.open >= maxConnections) return `the ${this.port} port is at its limit of ${maxConnections} connections (maxConnections); try again later`;
    if (mine >= maxConnectionsPerAddress) {
      return `${address} already has ${mine} connections open on the ${this.port} port, the most one address may hold (maxConnectionsPerAddress); close some first`;
    }
    return undefined;
  }

  private refuse(socket: Socket, address: string, why: string): void {
    this.refused++;
    this.notices.warn(address, `${this.port} connections`, { port: this.port, open: this.open, fromAddress: this.from(address) }, `${address}: connection refused: ${why}`);
    socket.on('error', () => socket.destroy());
    // Refused sockets waiting for their request are bounded too: past as many as may be admitted
    // (at least MIN_WAITING), the next ones are answered at once without being read.
    if (this.waiting >= Math.max(MIN_WAITING, this.limits.maxConnections)) {
      refusals.set(socket, { why, pardon: () => undefined });
      this.answerNow(socket, why);
      return;
    }
    this.waiting++;
    const timer = setTimeout(() => socket.destroy(), REFUSED_GRACE_MS);
    timer.unref();
    let done = false;
    const settle = (): void => {
      if (done) return;
      done = true;
      this.waiting--;
      clearTimeout(timer);
    };
    refusals.set(socket, { why, pardon: settle });
    socket.once('close', settle);
  }
}
