// The certificate pair: tidecast cert's self-signed certificate as Node's TLS verifies it, refusals in words, and a renewed pair picked up by a running listener without a restart.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type Server } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../server/log.js';
import { CertificateError, CertificateFiles, readCertificatePair } from '../../server/tls/certificate.js';
import { makeSelfSigned } from '../../server/tls/self-signed.js';
import { waitFor } from '../helpers/read.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tidecast-cert-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function listen(server: Server): Promise<number> {
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

/** The certificate the server presents, verified against `ca` when given. */
function handshake(port: number, ca?: string, servername = 'localhost'): Promise<{ fingerprint256: string; authorized: boolean; error?: string }> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', servername, ...(ca ? { ca, rejectUnauthorized: true } : { rejectUnauthorized: false }) }, () => {
      const peer = s.getPeerCertificate();
      resolve({ fingerprint256: peer.fingerprint256, authorized: s.authorized });
      s.end();
    });
    s.once('error', (e) => (ca ? resolve({ fingerprint256: '', authorized: false, error: e.message }) : reject(e)));
  });
}

describe('makeSelfSigned', () => {
  it('makes a certificate Node verifies for its DNS names and IP addresses, and not for another name', async () => {
    const s = makeSelfSigned({ hosts: ['localhost', '127.0.0.1', '::1'], days: 30 });
    expect(s.x509.checkHost('localhost')).toBe('localhost');
    expect(s.x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(s.x509.checkIP('::1')).toBe('::1');
    expect(s.x509.verify(s.x509.publicKey)).toBe(true);
    expect(s.x509.ca).toBe(false);
    expect(new Date(s.x509.validTo).getTime() - Date.now()).toBeGreaterThan(29 * 86400_000);
    const port = await listen(createServer({ cert: s.certPem, key: s.keyPem }));
    expect(await handshake(port, s.certPem)).toMatchObject({ authorized: true, fingerprint256: s.x509.fingerprint256 });
    const other = await handshake(port, s.certPem, 'example.com');
    expect(other.error).toMatch(/example\.com/);
  });

  it('refuses what it cannot put in a certificate', () => {
    expect(() => makeSelfSigned({ hosts: [], days: 30 })).toThrow(/at least one host/);
    expect(() => makeSelfSigned({ hosts: ['bad name'], days: 30 })).toThrow(/neither a host name nor an IP/);
    expect(() => makeSelfSigned({ hosts: ['localhost'], days: 0 })).toThrow(/days must be 1-3650/);
  });

  it('writes UTCTime before 2050 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)', () => {
    const s = makeSelfSigned({ hosts: ['localhost'], days: 3650, now: new Date('2045-06-01T00:00:00Z') });
    expect(new Date(s.x509.validTo).getUTCFullYear()).toBe(2055);
  });
});

describe('readCertificatePair', () => {
  it('says which file is missing, unreadable as PEM, or does not match', () => {
    const dir = tempDir();
    const a = makeSelfSigned({ hosts: ['localhost'], days: 1 });
    const b = makeSelfSigned({ hosts: ['localhost'], days: 1 });
    writeFileSync(join(dir, 'a.crt'), a.certPem);
    writeFileSync(join(dir, 'b.key'), b.keyPem);
    writeFileSync(join(dir, 'junk.crt'), 'not a certificate');
    expect(() => readCertificatePair(join(dir, 'none.crt'), join(dir, 'b.key'))).toThrow(/cannot read serverCert .*none\.crt/);
    expect(() => readCertificatePair(join(dir, 'junk.crt'), join(dir, 'b.key'))).toThrow(/junk\.crt is not a PEM certificate/);
    expect(() => readCertificatePair(join(dir, 'a.crt'), join(dir, 'b.key'))).toThrow(CertificateError);
  });
});

describe('CertificateFiles', () => {
  it('a renewed pair written over the files is served to new handshakes without a restart; a broken one is not', async () => {
    const dir = tempDir();
    const cert = join(dir, 'server.crt');
    const key = join(dir, 'server.key');
    const first = makeSelfSigned({ hosts: ['localhost'], days: 1 });
    writeFileSync(cert, first.certPem);
    writeFileSync(key, first.keyPem);
    const files = new CertificateFiles(cert, key, silentLogger);
    cleanups.push(() => files.close());
    const server = createServer(files.options);
    files.serve(server);
    const port = await listen(server);
    expect((await handshake(port)).fingerprint256).toBe(first.x509.fingerprint256);

    // Half a renewal (a new certificate, the old key) is kept out.
    const second = makeSelfSigned({ hosts: ['localhost'], days: 2 });
    writeFileSync(cert, second.certPem);
    expect(files.reload()).toBe(false);
    expect((await handshake(port)).fingerprint256).toBe(first.x509.fingerprint256);
    // The key follows: the watcher applies the pair.
    writeFileSync(key, second.keyPem);
    await waitFor(() => files.reloads === 1, 20_000, 'the watcher to reload the renewed pair');
    expect((await handshake(port)).fingerprint256).toBe(second.x509.fingerprint256);
    expect(files.info.fingerprint256).toBe(second.x509.fingerprint256);
  });
});
