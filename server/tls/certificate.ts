// The server's certificate and key (serverCert/serverKey PEM files): read at start, read again when either file changes, handed to every TLS listener.
import { watch, readFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { Logger } from '../log.js';

/** A problem with the certificate files, in words (the path, and what is wrong with it). */
export class CertificateError extends Error {
  override readonly name = 'CertificateError';
}

/** What a listener needs to apply a new pair: tls.Server#setSecureContext. */
export interface SecureContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

/**
 * Editors and certbot write a renewed pair as several file events (a rename, or a truncate and
 * writes, cert before key): the files are read once this long after the last event.
 */
const SETTLE_MS = 200;

export interface CertificateInfo {
  subject: string;
  validTo: string;
  fingerprint256: string;
}

/** Reads the pair and checks that they load together (a key that does not match its certificate is refused). */
export function readCertificatePair(certFile: string, keyFile: string): { options: SecureContextOptions; info: CertificateInfo } {
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new CertificateError(`cannot read ${what} ${file}: ${(e as Error).message}`);
    }
  };
  const cert = read(certFile, 'serverCert');
  const key = read(keyFile, 'serverKey');
  let info: CertificateInfo;
  try {
    const x = new X509Certificate(cert);
    info = { subject: x.subject.replace(/\n/g, ', '), validTo: x.validTo, fingerprint256: x.fingerprint256 };
  } catch (e) {
    throw new CertificateError(`serverCert ${certFile} is not a PEM certificate: ${(e as Error).message}`);
  }
  const options: SecureContextOptions = { cert, key };
  try {
    createSecureContext(options);
  } catch (e) {
    const why = (e as Error).message;
    const hint = /mismatch/i.test(why) ? ' (serverKey is not the key of serverCert)' : '';
    throw new CertificateError(`serverCert ${certFile} with serverKey ${keyFile} cannot be used: ${why}${hint}`);
  }
  return { options, info };
}

/**
 * The certificate pair of the server. Listeners register with `serve`; when either file changes
 * (a renewal) the pair is read again and, if it loads, set on every listener: new handshakes get
 * the new certificate, connections already open keep theirs. A pair that does not load (half
 * written, mismatched) is logged and the previous one stays until the next change.
 */
export class CertificateFiles {
  private current: { options: SecureContextOptions; info: CertificateInfo };
  private readonly targets = new Set<SecureContextTarget>();
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Pairs applied since the start (the first load excluded). */
  reloads = 0;

  constructor(
    readonly certFile: string,
    readonly keyFile: string,
    private readonly log: Logger,
  ) {
    this.current = readCertificatePair(certFile, keyFile);
    log.info({ cert: certFile, subject: this.current.info.subject, validTo: this.current.info.validTo }, 'TLS certificate loaded');
    this.watchFiles();
  }

  get options(): SecureContextOptions {
    return this.current.options;
  }

  get info(): CertificateInfo {
    return this.current.info;
  }

  /** Keeps `t` on the current pair from now on. */
  serve(t: SecureContextTarget): void {
    this.targets.add(t);
  }

  /** Reads the files now (the watcher calls it; a test or a SIGHUP may too). */
  reload(): boolean {
    let next;
    try {
      next = readCertificatePair(this.certFile, this.keyFile);
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'TLS certificate files changed but cannot be used; keeping the previous certificate');
      return false;
    }
    if (next.info.fingerprint256 === this.current.info.fingerprint256 && Buffer.compare(next.options.key as Buffer, this.current.options.key as Buffer) === 0) return false;
    this.current = next;
    this.reloads++;
    for (const t of this.targets) t.setSecureContext(next.options);
    this.log.info({ cert: this.certFile, subject: next.info.subject, validTo: next.info.validTo }, 'TLS certificate reloaded');
    return true;
  }

  close(): void {
    clearTimeout(this.timer);
    for (const w of this.watchers.splice(0)) w.close();
    this.targets.clear();
  }

  /**
   * Watches the directories, not the files: a renewal often replaces a file by renaming another
   * over it, and a watch on the old inode would never fire again.
   */
  private watchFiles(): void {
    const names = new Map<string, Set<string>>();
    for (const f of [this.certFile, this.keyFile]) {
      const dir = dirname(resolve(f));
      if (!names.has(dir)) names.set(dir, new Set());
      names.get(dir)!.add(basename(f));
    }
    for (const [dir, files] of names) {
      try {
        const w = watch(dir, { persistent: false }, (_event, name) => {
          if (name === null || files.has(name.toString())) this.schedule();
        });
        w.on('error', (e) => this.log.warn({ dir, err: e.message }, 'watching the TLS certificate directory failed; renewals need a restart'));
        this.watchers.push(w);
      } catch (e) {
        this.log.warn({ dir, err: (e as Error).message }, 'cannot watch the TLS certificate directory; renewals need a restart');
      }
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload(), SETTLE_MS);
    this.timer.unref();
  }
}
