// IPv4 multicast ranges in CIDR form: parsed, checked (config validation) and tested for membership (the RTSP multicast groups).

/** An IPv4 range `a.b.c.d/n` as integers. */
export interface Ipv4Range {
  base: number;
  prefix: number;
  /** Number of addresses in the range. */
  size: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** `224.1.2.3` -> its 32-bit value, or undefined when it is not a dotted IPv4 address. */
export function parseIpv4(text: string): number | undefined {
  const m = IPV4.exec(text.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

/** 224.0.0.0/4 (RFC 5771); 224.0.0.0/24 is link-local control traffic (IGMP, OSPF...), never media. */
const isMulticast = (n: number): boolean => n >>> 28 === 0xe;
export const isLocalControl = (n: number): boolean => n >>> 8 === 0xe00000;

/** Why `text` cannot be the multicast range, or undefined when it can. */
export function multicastRangeProblem(text: string): string | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text.trim());
  const ip = m ? parseIpv4(m[1]!) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (ip === undefined || !(prefix >= 4 && prefix <= 32)) return `must be an IPv4 range in CIDR form with a prefix of 4-32, e.g. 224.1.0.0/16, got ${JSON.stringify(text)}`;
  const r = rangeOf(ip, prefix);
  if (!isMulticast(r.base) || !isMulticast(r.base + r.size - 1)) return `${text} is not inside 224.0.0.0/4, the IPv4 multicast range`;
  if (isLocalControl(r.base) && isLocalControl(r.base + r.size - 1)) return `${text} is inside 224.0.0.0/24, which is reserved for routing protocols`;
  return undefined;
}

export function parseMulticastRange(text: string): Ipv4Range {
  const problem = multicastRangeProblem(text);
  if (problem) throw new Error(`multicastIPRange: ${problem}`);
  const [ip, prefix] = text.trim().split('/');
  return rangeOf(parseIpv4(ip!)!, Number(prefix));
}

function rangeOf(ip: number, prefix: number): Ipv4Range {
  const size = 2 ** (32 - prefix);
  // The mask is done in floating point: a 32-bit shift by 32 would be a no-op in JavaScript.
  const base = ip - (ip % size);
  return { base, prefix, size };
}

export function inRange(r: Ipv4Range, address: string): boolean {
  const n = parseIpv4(address);
  return n !== undefined && n >= r.base && n < r.base + r.size;
}
