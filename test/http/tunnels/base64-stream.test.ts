// The tunnel's base64 decoder: one table of cases, then random texts split at random places must decode to the same bytes.
import { describe, expect, it } from 'vitest';
import { Base64StreamDecoder } from '../../../server/http/tunnels/base64-stream.js';
import { prng } from '../../helpers/prng.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

function decodeAll(chunks: string[]): string {
  const d = new Base64StreamDecoder();
  return chunks.map((c) => dec(d.push(enc(c)))).join('');
}

describe('Base64StreamDecoder', () => {
  const cases: [string, string[], string][] = [
    ['one quantum', ['T1BU'], 'OPT'],
    ['padding ==', ['TQ=='], 'M'],
    ['padding =', ['TWE='], 'Ma'],
    ['split inside a quantum', ['T', '1B', 'U'], 'OPT'],
    ['padding between two encodings', ['TQ==TWE='], 'MMa'],
    ['line breaks and spaces ignored', ['T1\r\nBU', ' TQ==\n'], 'OPTM'],
    ['empty chunk', ['', 'T1BU', ''], 'OPT'],
  ];
  it.each(cases)('%s', (_name, chunks, text) => {
    expect(decodeAll(chunks)).toBe(text);
  });

  it('holds an incomplete quantum for the next chunk', () => {
    const d = new Base64StreamDecoder();
    expect(d.push(enc('T1B')).length).toBe(0);
    expect(d.pending).toBe(3);
    expect(dec(d.push(enc('U')))).toBe('OPT');
    expect(d.pending).toBe(0);
  });

  it.each([
    ['a character outside the alphabet', 'T1B!', /0x21 at offset 3 is not base64/],
    ['padding first', '=TQ=', /misplaced '=' padding/],
    ['padding then data', 'TQ=Q', /misplaced '=' padding/],
  ])('rejects %s', (_name, text, message) => {
    expect(() => new Base64StreamDecoder().push(enc(text))).toThrow(message);
  });

  it('decodes random requests, each encoded on its own, however the text is split', () => {
    const rnd = prng(5);
    for (let round = 0; round < 300; round++) {
      const parts: Buffer[] = [];
      for (let i = 0, n = 1 + Math.floor(rnd() * 4); i < n; i++) {
        const b = Buffer.alloc(Math.floor(rnd() * 200));
        for (let j = 0; j < b.length; j++) b[j] = Math.floor(rnd() * 256);
        parts.push(b);
      }
      const text = parts.map((p) => p.toString('base64')).join(rnd() < 0.5 ? '' : '\r\n');
      const chunks: string[] = [];
      for (let at = 0; at < text.length; ) {
        const n = 1 + Math.floor(rnd() * 20);
        chunks.push(text.slice(at, at + n));
        at += n;
      }
      const d = new Base64StreamDecoder();
      const out = Buffer.concat(chunks.map((c) => Buffer.from(d.push(enc(c)))));
      expect(out.equals(Buffer.concat(parts)), `round ${round}`).toBe(true);
    }
  });
});
