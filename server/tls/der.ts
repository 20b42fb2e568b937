// A small DER encoder (ITU-T X.690 §8, §10): the few ASN.1 types an X.509 certificate is made of.
import { concatBytes } from '../media/bytes.js';

const concat = concatBytes;

/** Tag, definite length (short form under 128, else long form, §8.1.3), contents. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  let len: number[];
  if (n < 0x80) len = [n];
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = [0x80 | bytes.length, ...bytes];
  }
  return concat([Uint8Array.of(tag, ...len), content]);
}

export const sequence = (...items: Uint8Array[]): Uint8Array => tlv(0x30, concat(items));
export const set = (...items: Uint8Array[]): Uint8Array => tlv(0x31, concat(items));
/** [n] EXPLICIT: a constructed context-specific tag around one encoding. */
export const explicit = (n: number, inner: Uint8Array): Uint8Array => tlv(0xa0 | n, inner);
/** [n] IMPLICIT of a primitive type: the context tag replaces the type's own. */
export const implicit = (n: number, content: Uint8Array): Uint8Array => tlv(0x80 | n, content);
export const boolean = (v: boolean): Uint8Array => tlv(0x01, Uint8Array.of(v ? 0xff : 0));
export const octetString = (b: Uint8Array): Uint8Array => tlv(0x04, b);
/** A BIT STRING of whole bytes, or with `unused` trailing bits (§8.6.2). */
export const bitString = (b: Uint8Array, unused = 0): Uint8Array => tlv(0x03, concat([Uint8Array.of(unused), b]));
export const utf8String = (s: string): Uint8Array => tlv(0x0c, new TextEncoder().encode(s));

/** A non-negative INTEGER from big-endian bytes: minimal, with a 0 in front when the top bit is set (§8.3). */
export function unsignedInteger(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return tlv(0x02, v.length === 0 ? Uint8Array.of(0) : v[0]! & 0x80 ? concat([Uint8Array.of(0), v]) : v);
}

export const smallInteger = (n: number): Uint8Array => {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return unsignedInteger(Uint8Array.from(bytes));
};

/** OBJECT IDENTIFIER from dotted text (§8.19): first two arcs in one byte, then base-128 arcs. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isInteger(a) || a < 0)) throw new Error(`bad OID ${dotted}`);
  const out: number[] = [];
  const first = 40 * arcs[0]! + arcs[1]!;
  for (const arc of [first, ...arcs.slice(2)]) {
    const chunk = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** X.509 Time (RFC 5280 §4.1.2.5): UTCTime through 2049, GeneralizedTime from 2050, to the second, in UTC. */
export function time(d: Date): Uint8Array {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  const y = d.getUTCFullYear();
  return y < 2050 ? tlv(0x17, new TextEncoder().encode(`${p(y % 100)}${rest}`)) : tlv(0x18, new TextEncoder().encode(`${p(y, 4)}${rest}`));
}
