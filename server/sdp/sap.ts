// SAP packets (RFC 2974): the header, originating source and payload type around an announced SDP; built and parsed, never thrown on.

/** One SAP packet, as built or as parsed. */
export interface SapPacket {
  /** T bit: 0 announces the session, 1 deletes it (RFC 2974 §3, §4). */
  deletion: boolean;
  /** 16 bits, never 0 from us: with the origin it names one version of one announcement. */
  msgIdHash: number;
  /** The announcer's address, IPv4 dotted or IPv6 (the A bit follows from it). */
  origin: string;
  /** MIME type of the payload; SAPv1 receivers assume application/sdp when it is absent. */
  payloadType: string;
  /** The SDP text (for a compressed or encrypted packet: its bytes as Latin-1, left as they are). */
  payload: string;
  /** E and C bits, as parsed: we never set them, and a receiver without the key or zlib skips such packets. */
  encrypted?: boolean;
  compressed?: boolean;
  /** Authentication data words, as parsed (we send none). */
  authData?: Uint8Array;
}

export type SapParse = { ok: true; packet: SapPacket } | { ok: false; reason: string };

/** RFC 2974 §3: "SAP packets SHOULD NOT be larger than 1 kByte" once headers are included. */
export const SAP_MAX_PACKET = 1024;
/** The well-known announcement port and global-scope group (RFC 2974 §3: 224.2.127.254; 239.255.255.255 for administratively scoped). */
export const SAP_PORT = 9875;
export const SAP_DEFAULT_GROUP = '239.255.255.255';

const V1 = 0x20;
const A_BIT = 0x10;
const T_BIT = 0x04;
const E_BIT = 0x02;
const C_BIT = 0x01;

/** A SAP packet around `p.payload`; the payload type is always written (VLC and RFC 2974 §6 expect it). */
export function buildSap(p: Omit<SapPacket, 'encrypted' | 'compressed' | 'authData'>): Uint8Array {
  const addr = parseAddress(p.origin);
  if (!addr) throw new RangeError(`SAP origin ${p.origin} is not an IPv4 or IPv6 address`);
  const type = new TextEncoder().encode(p.payloadType);
  const body = new TextEncoder().encode(p.payload);
  const out = new Uint8Array(4 + addr.length + type.length + 1 + body.length);
  out[0] = V1 | (addr.length === 16 ? A_BIT : 0) | (p.deletion ? T_BIT : 0);
  out[1] = 0;
  out[2] = (p.msgIdHash >> 8) & 0xff;
  out[3] = p.msgIdHash & 0xff;
  out.set(addr, 4);
  let o = 4 + addr.length;
  out.set(type, o);
  o += type.length;
  out[o++] = 0;
  out.set(body, o);
  return out;
}

/** Reads a SAP packet; anything malformed is a reason, never an exception. */
export function parseSap(b: Uint8Array): SapParse {
  if (b.length < 4) return { ok: false, reason: `${b.length} bytes is shorter than the 4-byte SAP header` };
  const flags = b[0]!;
  const version = flags >> 5;
  // RFC 2974 §3: version 0 (SAPv0) packets are read like version 1; other versions are not ours to read.
  if (version > 1) return { ok: false, reason: `SAP version ${version}: only 0 and 1 exist` };
  const addrLen = flags & A_BIT ? 16 : 4;
  const authLen = b[1]! * 4;
  let o = 4 + addrLen + authLen;
  if (b.length < o) return { ok: false, reason: `${b.length} bytes cannot hold the origin and ${authLen} bytes of authentication data` };
  const encrypted = (flags & E_BIT) !== 0;
  const compressed = (flags & C_BIT) !== 0;
  let payloadType = 'application/sdp';
  // §6: the payload type is optional; a payload that starts "v=0" has none.
  if (!encrypted && !compressed && !startsWith(b, o, 'v=0')) {
    const nul = b.indexOf(0, o);
    if (nul < 0) return { ok: false, reason: 'payload type is not NUL-terminated' };
    payloadType = latin1(b.subarray(o, nul));
    o = nul + 1;
  }
  const payloadBytes = b.subarray(o);
  const packet: SapPacket = {
    deletion: (flags & T_BIT) !== 0,
    msgIdHash: (b[2]! << 8) | b[3]!,
    origin: formatAddress(b.subarray(4, 4 + addrLen)),
    payloadType,
    payload: encrypted || compressed ? latin1(payloadBytes) : new TextDecoder('utf-8', { fatal: false }).decode(payloadBytes),
  };
  if (encrypted) packet.encrypted = true;
  if (compressed) packet.compressed = true;
  if (authLen > 0) packet.authData = b.slice(4 + addrLen, 4 + addrLen + authLen);
  return { ok: true, packet };
}

/** A 16-bit message id hash of an SDP text, never 0 (VLC treats 0 as "no hash" and compares whole SDPs). */
export function sapHash(sdp: string): number {
  let h = 2166136261;
  for (let i = 0; i < sdp.length; i++) h = Math.imul(h ^ sdp.charCodeAt(i), 16777619) >>> 0;
  const folded = (h >>> 16) ^ (h & 0xffff);
  return folded === 0 ? 1 : folded;
}

function startsWith(b: Uint8Array, at: number, text: string): boolean {
  if (b.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return s;
}

/** IPv4 dotted quad or IPv6 (with one "::") to bytes; undefined for anything else. */
export function parseAddress(a: string): Uint8Array | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    return parts.every((n) => n <= 255) ? Uint8Array.from(parts) : undefined;
  }
  if (!/^[0-9a-fA-F:]+$/.test(a) || a.split('::').length > 2) return undefined;
  const [head = '', tail] = a.split('::');
  const words = (s: string): number[] | undefined => {
    if (s === '') return [];
    const w = s.split(':');
    return w.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x)) ? w.map((x) => parseInt(x, 16)) : undefined;
  };
  const h = words(head);
  const t = tail === undefined ? [] : words(tail);
  if (!h || !t) return undefined;
  const fill = 8 - h.length - t.length;
  if ((tail === undefined && fill !== 0) || (tail !== undefined && fill < 1)) return undefined;
  const all = [...h, ...new Array<number>(fill).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

function formatAddress(b: Uint8Array): string {
  if (b.length === 4) return [...b].join('.');
  const w: string[] = [];
  for (let i = 0; i < 16; i += 2) w.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return w.join(':');
}
