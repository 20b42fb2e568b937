// The soak's wrong logins, from the second address: wrong passwords and unknown users with Basic and Digest, on RTSP and HTTP, counted by the server's answer (401, or 503/429 once the address is throttled).
import { request as httpRequest } from 'node:http';
import { answerChallenge, formatAuthorization, type Credentials } from '../../server/rtsp/headers/authorization.js';
import { FUZZ_ADDRESS } from './fuzz.js';
import { challengeOf, RtspLogin, type AuthScheme } from './login.js';
import { SoakRtsp } from './rtsp.js';
import { hold, type SoakCounts, type SoakTarget } from './actors.js';

const KINDS = ['rtsp basic', 'rtsp digest', 'http basic', 'http digest'] as const;

const bump = (m: Record<string, number>, k: string): void => void (m[k] = (m[k] ?? 0) + 1);

/** A real user with a wrong password, or a user that does not exist (the server must answer both alike). */
function wrongCreds(t: SoakTarget): Credentials {
  return t.rnd() < 0.5 ? { username: 'reader', password: `wrong-${Math.floor(t.rnd() * 1e6)}` } : { username: `nobody${Math.floor(t.rnd() * 100)}`, password: 'guess' };
}

async function rtspWrong(t: SoakTarget, scheme: AuthScheme): Promise<number> {
  const r = await SoakRtsp.open(t.rtspPort, FUZZ_ADDRESS);
  try {
    const login = new RtspLogin(r, wrongCreds(t), scheme);
    return (await login.request('DESCRIBE', `rtsp://127.0.0.1:${t.rtspPort}/sample.mp4`, { Accept: 'application/sdp' })).status;
  } finally {
    r.close();
  }
}

/** One GET from the second address: its status and WWW-Authenticate lines. */
function get(t: SoakTarget, path: string, headers: Record<string, string>): Promise<{ status: number; challenges: string[] }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: t.httpPort, path, localAddress: FUZZ_ADDRESS, headers }, (res) => {
      const challenges: string[] = [];
      for (let i = 0; i < res.rawHeaders.length; i += 2) if (res.rawHeaders[i]!.toLowerCase() === 'www-authenticate') challenges.push(res.rawHeaders[i + 1]!);
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, challenges }));
    });
    req.setTimeout(20_000, () => req.destroy(new Error('no answer in 20 s')));
    req.on('error', reject);
    req.end();
  });
}

async function httpWrong(t: SoakTarget, scheme: AuthScheme): Promise<number> {
  const creds = wrongCreds(t);
  const path = t.rnd() < 0.5 ? '/sample.mp4/stream.mp4' : '/api/v1/status';
  if (scheme === 'basic') return (await get(t, path, { Authorization: formatAuthorization({ scheme: 'Basic', ...creds }) })).status;
  const bare = await get(t, path, {});
  const c = challengeOf(bare.challenges, 'digest');
  if (bare.status !== 401 || !c) return -bare.status;
  return (await get(t, path, { Authorization: formatAuthorization(answerChallenge(c, creds, 'GET', path)) })).status;
}

/** Every 2 s one wrong login of each kind in turn, until the run ends; answers counted as "kind: status". */
export async function wrongLogins(t: SoakTarget, c: SoakCounts): Promise<void> {
  for (let i = 0; t.running(); i++) {
    const kind = KINDS[i % KINDS.length]!;
    const [proto, scheme] = kind.split(' ') as ['rtsp' | 'http', AuthScheme];
    try {
      const status = proto === 'rtsp' ? await rtspWrong(t, scheme) : await httpWrong(t, scheme);
      bump(c.wrongLogins, status < 0 ? `${kind}: no Digest challenge (${-status})` : `${kind}: ${status}`);
    } catch (e) {
      bump(c.errors, `wrong login: ${(e as Error).message.slice(0, 60)}`);
    }
    await hold(t, 2000);
  }
}
