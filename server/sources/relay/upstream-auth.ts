// The relay client's view of an upstream's 401: which challenge to answer, and why one could not be, in words for error messages.

import { pickChallenge, type Credentials } from '../../rtsp/headers/authorization.js';
import { formatChallenge, parseWwwAuthenticate, type AuthChallenge } from '../../rtsp/headers/www-authenticate.js';
import type { RtspResponse } from '../../rtsp/message.js';

/** The challenge to answer a 401 with, or why it cannot be answered (appended to the 401's error message). */
export function chooseChallenge(res: RtspResponse, creds: Credentials | undefined): { challenge: AuthChallenge } | { problem: string } {
  const challenges = readChallenges(res);
  const offered = challenges.length === 0 ? 'no WWW-Authenticate challenge' : challenges.map(describeChallenge).join(' or ');
  if (creds === undefined) return { problem: `it asks for ${offered}, and the source URL has no user:password@` };
  const challenge = pickChallenge(challenges);
  if (challenge === undefined) return { problem: `it asks for ${offered}, which Tidecast cannot answer (only Basic and MD5 Digest)` };
  return { challenge };
}

/** Why a second 401 came: the upstream refused these credentials for that challenge. */
export function rejectedCredentials(creds: Credentials, challenge: AuthChallenge): string {
  return `it rejected the credentials of user ${JSON.stringify(creds.username)} (${describeChallenge(challenge)})`;
}

/** All challenges across the answer's WWW-Authenticate lines. */
function readChallenges(res: RtspResponse): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  for (const v of res.headers.getAll('WWW-Authenticate')) {
    try {
      challenges.push(...parseWwwAuthenticate(v));
    } catch {
      // One unreadable challenge must not hide a usable one in another header line.
    }
  }
  return challenges;
}

/** "Digest (realm "x", algorithm MD5)": what the upstream asked for, so a user can tell why a 401 was not answered. */
function describeChallenge(c: AuthChallenge): string {
  if (c.scheme === 'Digest') return `Digest (realm ${JSON.stringify(c.realm ?? '')}, algorithm ${c.algorithm ?? 'MD5'})`;
  if (c.scheme === 'Basic') return `Basic (realm ${JSON.stringify(c.realm ?? '')})`;
  return formatChallenge({ scheme: c.scheme, params: [] });
}
