// IPv4 and IPv6 address ranges in CIDR form (RFC 4632, RFC 4291 §2.3): parsed once, matched per connection (auth `ips`).

/** A range as 16 bytes and a prefix length over them; IPv4 is held as IPv4-mapped IPv6 (RFC 4291 §2.5.5.2). */
export interface Cidr {
  bytes: Uint8Array;
  /** 0-128, counted over the 16 bytes (an IPv4 /24 is 96 + 24 = 120). */
  prefix: number;
  /** As written in the config, for messages. */
  text: string;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipv4Bytes(text: string): number[] | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  // Leading zeros are refused: some parsers read them as octal (CVE-2021-29921 in Python's ipaddress).
  if (parts.some((p) => p > 255) || m.slice(1).some((p) => p.length > 1 && p.startsWith('0'))) return undefined;
  return parts;
}

/** 16 bytes for an IPv6 address (with an optional IPv4 tail), or undefined. A zone (`%eth0`) is ignored. */
function ipv6Bytes(input: string): Uint8Array | undefined {
  const text = input.replace(/%[\w.-]+$/, '');
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = ipv4Bytes(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/** An address as 16 bytes (IPv4 as `::ffff:a.b.c.d`, so that Node's dual-stack form matches IPv4 ranges), or undefined. */
export function parseAddress(text: string): Uint8Array | undefined {
  const t = text.trim();
  const v4 = ipv4Bytes(t);
  if (v4) return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4]);
  return t.includes(':') ? ipv6Bytes(t) : undefined;
}

/** Why `text` is not a CIDR range, or undefined. A bare address is a range of one (/32 or /128). */
export function cidrProblem(text: string): string | undefined {
  const r = parseCidrOrReason(text);
  return typeof r === 'string' ? r : undefined;
}

/** Parses `10.0.0.0/8`, `::1/128`, `192.168.1.7` (= /32); throws with the reason in words. */
export function parseCidr(text: string): Cidr {
  const r = parseCidrOrReason(text);
  if (typeof r === 'string') throw new Error(r);
  return r;
}

function parseCidrOrReason(text: string): Cidr | string {
  const bad = `must be an address range in CIDR form such as 192.168.1.0/24 or fd00::/8 (or one address), got ${JSON.stringify(text)}`;
  if (typeof text !== 'string') return bad;
  const m = /^([^/\s]+)(?:\/(\d{1,3}))?$/.exec(text.trim());
  if (!m) return bad;
  const isV4 = ipv4Bytes(m[1]!) !== undefined;
  const bytes = parseAddress(m[1]!);
  if (!bytes) return bad;
  const max = isV4 ? 32 : 128;
  const written = m[2] === undefined ? max : Number(m[2]);
  if (written > max) return `${text}: an ${isV4 ? 'IPv4' : 'IPv6'} prefix is at most /${max}`;
  const prefix = isV4 ? 96 + written : written;
  // Host bits set (10.0.0.1/8) usually mean a typo: say so rather than widen or narrow silently.
  for (let bit = prefix; bit < 128; bit++) {
    if (bytes[bit >> 3]! & (0x80 >> (bit & 7))) return `${text} has bits set after the /${written} prefix: write the network address, e.g. ${networkText(bytes, prefix, isV4, written)}`;
  }
  return { bytes, prefix, text };
}

function networkText(bytes: Uint8Array, prefix: number, isV4: boolean, written: number): string {
  const b = Uint8Array.from(bytes);
  for (let bit = prefix; bit < 128; bit++) b[bit >> 3]! &= ~(0x80 >> (bit & 7));
  if (isV4) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}/${written}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return `${groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')}/${written}`;
}

/** True when the (parsed) address lies in the range. */
export function cidrContains(range: Cidr, address: Uint8Array): boolean {
  const full = range.prefix >> 3;
  for (let i = 0; i < full; i++) if (range.bytes[i] !== address[i]) return false;
  const rest = range.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (range.bytes[full]! & mask) === (address[full]! & mask);
}

/** True when `address` (text, any form a Node socket reports) is in any of the ranges. */
export function inAnyCidr(ranges: readonly Cidr[], address: string): boolean {
  const a = parseAddress(address);
  if (!a) return false;
  return ranges.some((r) => cidrContains(r, a));
}
