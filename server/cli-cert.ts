// `tidecast cert`: writes a self-signed certificate and key for trying RTSPS and HTTPS out, and says how to use them.
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { makeSelfSigned } from './tls/self-signed.js';

export interface CertOptions {
  cert: string;
  key: string;
  host?: string[];
  days: number;
  force?: boolean;
}

/** The names a certificate for this machine answers to when none are given. */
export function defaultHosts(): string[] {
  return [...new Set(['localhost', hostname(), '127.0.0.1', '::1'].filter((h) => h !== ''))];
}

/** Writes the pair; returns the lines to print, or throws with the reason in words. */
export function writeSelfSigned(o: CertOptions): string[] {
  for (const f of [o.cert, o.key]) {
    if (existsSync(f) && !o.force) throw new Error(`${f} exists; pass --force to replace it (the server reloads a replaced pair by itself)`);
  }
  const hosts = o.host && o.host.length > 0 ? o.host : defaultHosts();
  const s = makeSelfSigned({ hosts, days: o.days });
  // The key first, readable by its owner only: a certificate without its key is useless to anyone.
  writeFileSync(o.key, s.keyPem, { mode: 0o600 });
  writeFileSync(o.cert, s.certPem, { mode: 0o644 });
  return [
    `wrote ${o.cert} (self-signed, ECDSA P-256, valid until ${s.x509.validTo}) and ${o.key}`,
    `  for: ${s.x509.subjectAltName ?? hosts.join(', ')}`,
    `  SHA-256 fingerprint: ${s.x509.fingerprint256}`,
    `  public key SHA-256 (Chromium --ignore-certificate-errors-spki-list): ${s.spkiSha256}`,
    'Use it with:',
    `  tidecast serve --server-cert ${o.cert} --server-key ${o.key}`,
    '  (or serverCert/serverKey in the config): RTSPS on port 8322, HTTPS and WSS on port 8443.',
    'Clients will not trust it by themselves: curl --cacert, ffmpeg (does not verify by default),',
    'GStreamer rtspsrc tls-validation-flags=0, or import it into the browser.',
  ];
}

const list = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

export function certCommandOptions(): { flags: string; description: string; parse?: (v: string, prev: string[]) => string[]; def?: string }[] {
  return [
    { flags: '--cert <file>', description: 'certificate file to write (PEM)', def: 'server.crt' },
    { flags: '--key <file>', description: 'private key file to write (PEM, mode 600)', def: 'server.key' },
    { flags: '--host <names>', description: `host names and IP addresses it is for, comma-separated or repeated (default: ${defaultHosts().join(',')})`, parse: list },
    { flags: '--days <n>', description: 'days it is valid', def: '365' },
    { flags: '--force', description: 'replace existing files' },
  ];
}

export function certCommand(opts: { cert: string; key: string; host?: string[]; days: string; force?: boolean }): void {
  try {
    for (const line of writeSelfSigned({ cert: opts.cert, key: opts.key, days: Number(opts.days), ...(opts.host ? { host: opts.host } : {}), ...(opts.force ? { force: true } : {}) })) {
      process.stdout.write(`${line}\n`);
    }
  } catch (e) {
    process.stderr.write(`tidecast cert: ${(e as Error).message}\n`);
    process.exitCode = 2;
  }
}
