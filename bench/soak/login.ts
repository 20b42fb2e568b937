// Logging in from the benches' raw RTSP client: requests that answer a 401 with Basic or Digest (as ffmpeg and GStreamer do), and the Authorization a request carries once logged in.
import { answerChallenge, formatAuthorization, type Credentials } from '../../server/rtsp/headers/authorization.js';
import type { RtspResponse } from '../../server/rtsp/message.js';
import { parseWwwAuthenticate, type AuthChallenge } from '../../server/rtsp/headers/www-authenticate.js';
import type { SoakRtsp } from './rtsp.js';

export type AuthScheme = 'basic' | 'digest';

/** The challenge of `scheme` among a 401's WWW-Authenticate lines (the server writes one line per method). */
export function challengeOf(lines: readonly string[], scheme: AuthScheme): AuthChallenge | undefined {
  for (const line of lines) {
    const c = parseWwwAuthenticate(line).find((x) => x.scheme.toLowerCase() === scheme);
    if (c) return c;
  }
  return undefined;
}

/**
 * One connection's login: without credentials it sends requests as they are; with them it sends
 * Basic at once (a client that knows the server wants it; `challengeFirst` waits for the 401 as
 * ffmpeg and GStreamer do), or, for Digest, the request bare first and again with the answer to the
 * 401's challenge, then the same nonce with a rising nc on every later request (RFC 7616 §3.4).
 */
export class RtspLogin {
  private challenge: AuthChallenge | undefined;
  private nc = 0;
  /** 401s the server answered (a good login gets exactly one per connection with Digest). */
  unauthorized = 0;

  constructor(
    private readonly rtsp: SoakRtsp,
    private readonly creds: Credentials | undefined,
    private readonly scheme: AuthScheme = 'basic',
    private readonly challengeFirst = false,
  ) {}

  async request(method: string, url: string, headers: Record<string, string> = {}): Promise<RtspResponse> {
    const auth = this.authorization(method, url);
    const first = await this.rtsp.request(method, url, { ...headers, ...auth });
    // Credentials sent and refused are an answer: sending them again would be a second failed login.
    if (first.status !== 401 || !this.creds || auth.Authorization !== undefined) return first;
    this.unauthorized++;
    this.challenge = challengeOf(first.headers.getAll('WWW-Authenticate'), this.scheme);
    if (!this.challenge) return first;
    return this.rtsp.request(method, url, { ...headers, ...this.authorization(method, url) });
  }

  private authorization(method: string, url: string): Record<string, string> {
    if (!this.creds) return {};
    if (this.scheme === 'basic' && (this.challenge || !this.challengeFirst)) return { Authorization: formatAuthorization({ scheme: 'Basic', ...this.creds }) };
    if (!this.challenge) return {};
    return { Authorization: formatAuthorization(answerChallenge(this.challenge, this.creds, method, url, { nc: ++this.nc })) };
  }
}

/** `Authorization: Basic` for an HTTP request. */
export const basicHeader = (c: Credentials): Record<string, string> => ({ Authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` });
