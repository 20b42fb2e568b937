// A self-signed certificate for trying RTSPS/HTTPS out (`tidecast cert`): an ECDSA P-256 key and an X.509 v3 certificate written with node:crypto and our DER encoder.
//
// Written here rather than by running openssl: node:crypto makes and signs keys but has no API to
// write a certificate, and an X.509 certificate is ~20 DER elements. So `tidecast cert` works where
// there is no openssl binary (containers, Windows), and the key never leaves the process.
import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { bitString, boolean, explicit, implicit, octetString, oid, sequence, set, smallInteger, time, unsignedInteger, utf8String } from './der.js';

export interface SelfSignedOptions {
  /** DNS names and IP addresses the certificate is for (subjectAltName); the first is also its CN. */
  hosts: string[];
  /** Days it is valid from now (it is valid from an hour ago, for clocks a little behind). */
  days: number;
  now?: Date;
}

export interface SelfSigned {
  certPem: string;
  keyPem: string;
  /** SHA-256 of the SubjectPublicKeyInfo, base64: what Chromium's --ignore-certificate-errors-spki-list takes. */
  spkiSha256: string;
  x509: X509Certificate;
}

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));

const pem = (label: string, der: Uint8Array): string => {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
};

/** An IP address as subjectAltName's iPAddress wants it: 4 or 16 bytes (RFC 5280 §4.2.1.6). */
function ipBytes(ip: string): Uint8Array {
  if (isIP(ip) === 4) return Uint8Array.from(ip.split('.').map(Number));
  const [head, tail = ''] = ip.split('::') as [string, string?];
  const parts = (s: string): number[] => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const a = parts(head);
  const b = parts(tail);
  const words = ip.includes('::') ? [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b] : a;
  return Uint8Array.from(words.flatMap((w) => [w >> 8, w & 0xff]));
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

export function makeSelfSigned(o: SelfSignedOptions): SelfSigned {
  if (o.hosts.length === 0) throw new Error('name at least one host the certificate is for, e.g. localhost');
  if (!(o.days >= 1 && o.days <= 3650)) throw new Error(`days must be 1-3650, got ${o.days}`);
  const now = o.now ?? new Date();
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const name = sequence(set(sequence(oid('2.5.4.3'), utf8String(o.hosts[0]!))), set(sequence(oid('2.5.4.10'), utf8String('Tidecast self-signed'))));
  // A positive serial of at most 20 bytes with 64+ bits of randomness (RFC 5280 §4.1.2.2, CA/B BR 7.1).
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const altNames = o.hosts.map((h) => {
    if (isIP(h)) return implicit(7, ipBytes(h));
    // dNSName is an IA5String under [2] IMPLICIT: letters, digits, '-', '.', and '*' for a wildcard.
    if (!/^[A-Za-z0-9*]([A-Za-z0-9.*-]{0,251}[A-Za-z0-9])?$/.test(h)) throw new Error(`${JSON.stringify(h)} is neither a host name nor an IP address`);
    return implicit(2, new TextEncoder().encode(h));
  });
  const extensions = sequence(
    extension('2.5.29.17', false, sequence(...altNames)),
    // An end-entity certificate (basicConstraints CA:FALSE) for TLS servers, signed by itself.
    extension('2.5.29.19', true, sequence()),
    extension('2.5.29.15', true, bitString(Uint8Array.of(0x80), 7)),
    extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'))),
    extension('2.5.29.14', false, octetString(createHash('sha1').update(spki).digest())),
  );
  const notBefore = new Date(now.getTime() - 3600_000);
  const notAfter = new Date(now.getTime() + o.days * 86400_000);
  const tbs = sequence(explicit(0, smallInteger(2)), unsignedInteger(serial), ECDSA_WITH_SHA256, name, sequence(time(notBefore), time(notAfter)), name, spki, explicit(3, extensions));
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, ECDSA_WITH_SHA256, bitString(new Uint8Array(signature)));
  const certPem = pem('CERTIFICATE', der);
  return {
    certPem,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    spkiSha256: createHash('sha256').update(spki).digest('base64'),
    x509: new X509Certificate(certPem),
  };
}
