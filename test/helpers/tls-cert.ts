// A self-signed certificate for 127.0.0.1/localhost made with openssl, as an operator would, for the TLS tests; removed with its directory.
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRun, run } from './spawn.js';

export interface TestCert {
  dir: string;
  cert: string;
  key: string;
  /** SHA-256 of the public key, base64: what Chromium's --ignore-certificate-errors-spki-list trusts. */
  spki: string;
  remove(): void;
}

/** Makes an EC P-256 pair valid for localhost, 127.0.0.1 and `names` in a fresh temp directory. */
export async function makeTestCert(cn = 'localhost', names: string[] = []): Promise<TestCert> {
  const dir = mkdtempSync(join(tmpdir(), 'tidecast-tls-'));
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  const args = [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${cn}`, '-addext', `subjectAltName=${['DNS:localhost', 'IP:127.0.0.1', ...names.map((n) => `DNS:${n}`)].join(',')}`, '-keyout', key, '-out', cert,
  ];
  const r = await run('openssl', args, { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`openssl could not make the test certificate\n${describeRun('openssl', args, r)}`);
  const spki = createHash('sha256').update(createPublicKey(readFileSync(key)).export({ type: 'spki', format: 'der' })).digest('base64');
  return { dir, cert, key, spki, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
