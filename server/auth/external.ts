// External auth (authHTTPAddress): each request is POSTed as JSON to an operator's service; 2xx allows, anything else refuses; answers are cached briefly.
import { createHash } from 'node:crypto';
import type { AuthAction } from '../config-auth.js';

export interface ExternalQuery {
  user: string;
  password: string;
  token: string;
  ip: string;
  action: AuthAction;
  path: string;
  /** rtsp (also through the tunnels), hls, http (progressive streams, files), api, metrics. */
  protocol: string;
}

export type ExternalAnswer = { allowed: boolean } | { error: string };

export interface ExternalOptions {
  /** How long an answer is reused: an HLS player asks every part, an RTSP client every request. */
  ttlMs: number;
  maxEntries: number;
  timeoutMs: number;
  now: () => number;
}

export const DEFAULT_EXTERNAL: ExternalOptions = { ttlMs: 5_000, maxEntries: 1000, timeoutMs: 5_000, now: Date.now };

/** Asks the service, with a bounded cache of recent answers and one request in flight per question. */
export class ExternalAuth {
  private readonly cache = new Map<string, { allowed: boolean; until: number }>();
  private readonly inFlight = new Map<string, Promise<ExternalAnswer>>();
  private readonly o: ExternalOptions;
  /** Requests actually sent to the service (the rest were answered from the cache). */
  asked = 0;

  constructor(
    readonly url: string,
    opts: Partial<ExternalOptions> = {},
  ) {
    this.o = { ...DEFAULT_EXTERNAL, ...opts };
  }

  ask(q: ExternalQuery): Promise<ExternalAnswer> {
    // Keyed by a hash: the cache holds no password.
    const key = createHash('sha256').update(JSON.stringify(q)).digest('base64');
    const hit = this.cache.get(key);
    if (hit && hit.until > this.o.now()) return Promise.resolve({ allowed: hit.allowed });
    if (hit) this.cache.delete(key);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const p = this.post(q).then((answer) => {
      this.inFlight.delete(key);
      if ('allowed' in answer) this.remember(key, answer.allowed);
      return answer;
    });
    if (this.inFlight.size < this.o.maxEntries) this.inFlight.set(key, p);
    return p;
  }

  private async post(q: ExternalQuery): Promise<ExternalAnswer> {
    this.asked++;
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(q),
        signal: AbortSignal.timeout(this.o.timeoutMs),
        redirect: 'manual',
      });
      // The body is not read: the status is the answer.
      await res.body?.cancel().catch(() => {});
      return { allowed: res.status >= 200 && res.status < 300 };
    } catch (e) {
      const err = e as Error & { cause?: Error };
      // fetch says only "fetch failed"; the cause says why (ECONNREFUSED ...).
      return { error: err.name === 'TimeoutError' ? `no answer within ${this.o.timeoutMs / 1000} s` : (err.cause?.message ?? err.message) };
    }
  }

  private remember(key: string, allowed: boolean): void {
    if (this.cache.size >= this.o.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { allowed, until: this.o.now() + this.o.ttlMs });
  }

  /** Answers cached (bounded by maxEntries). */
  get cached(): number {
    return this.cache.size;
  }
}
