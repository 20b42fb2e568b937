// A self-signed certificate for 127.0.0.1/localhost made with openssl, as an operator would, for the TLS tests; removed with its directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRun, run } from './spawn.js';

export interface TestCert {
  dir: string;
  cert: string;
  key: string;
  remove(): void;
}

/** Makes an EC P-256 pair valid for localhost and 127.0.0.1 in a fresh temp directory. */
export async function makeTestCert(cn = 'localhost'): Promise<TestCert> {
  const dir = mkdtempSync(join(tmpdir(), 'tidecast-tls-'));
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  const args = [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert,
  ];
  const r = await run('openssl', args, { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`openssl could not make the test certificate\n${describeRun('openssl', args, r)}`);
  return { dir, cert, key, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
