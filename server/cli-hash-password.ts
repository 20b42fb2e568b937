// `tidecast hash-password`: prints the stored form of a password for authUsers, reading it unechoed from a terminal or from stdin.
import { hashPassword } from './auth/password.js';

/** One line from stdin: typed without echo on a terminal, else the first line piped in. */
export function readPassword(prompt: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    return new Promise((resolve, reject) => {
      let text = '';
      input.setEncoding('utf8');
      input.on('data', (d: string) => (text += d));
      input.on('end', () => resolve(text.split(/\r?\n/)[0] ?? ''));
      input.on('error', reject);
    });
  }
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let text = '';
    input.setRawMode(true);
    input.setEncoding('utf8');
    const done = (err?: Error): void => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: string): void => {
      for (const c of chunk) {
        if (c === '\r' || c === '\n' || c === '\u0004') return done();
        if (c === '\u0003') return done(new Error('interrupted'));
        if (c === '\u007f' || c === '\b') text = text.slice(0, -1);
        else text += c;
      }
    };
    input.on('data', onData);
    input.resume();
  });
}

export async function hashPasswordCommand(password: string | undefined, opts: { sha256?: boolean }): Promise<void> {
  const pw = password ?? (await readPassword('Password (not shown): '));
  if (pw === '') {
    process.stderr.write('tidecast: an empty password cannot be used\n');
    process.exit(2);
  }
  const stored = await hashPassword(pw, opts.sha256 ? 'sha256' : 'scrypt');
  process.stdout.write(`${stored}\n`);
  if (process.stderr.isTTY) {
    process.stderr.write(`Put it in the config as  pass: "${stored}"\n(hashed passwords work with Basic only: Digest needs the plain one)\n`);
  }
}
