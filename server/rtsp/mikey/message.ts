// MIKEY messages (RFC 3830) as RTSP carries SRTP keys: a pre-shared-key initiation with NULL encryption and NULL MAC, parsed and written.
//
// Only the subset RTSP clients and servers send (gortsplib, GStreamer, Axis cameras): the common
// header with an SRTP-ID crypto-session map (§6.1), then T (§6.6), RAND (§6.11), SP (§6.10) and
// KEMAC (§6.2) payloads, the KEMAC holding TEK key-data sub-payloads (§6.13) in the clear. That is
// allowed because the message itself travels inside TLS (RFC 4567 §7, "NULL encryption ... only
// when the transport is secured").

/** Raised for a message that is not MIKEY or uses a part of it we do not carry; the text names the byte or field. */
export class MikeyError extends Error {
  override readonly name = 'MikeyError';
}

/** RFC 3830 §6.1.a data type: initiator's pre-shared-key message. */
export const DATA_TYPE_PSK_INIT = 0;
/** §6.1.d CS ID map type: SRTP-ID. */
const MAP_TYPE_SRTP_ID = 0;

/** §6.1: one crypto session, an SSRC with its policy and rollover counter. */
export interface SrtpIdEntry {
  policyNo: number;
  ssrc: number;
  roc: number;
}

export interface MikeyHeader {
  /** CSB ID: identifies this crypto-session bundle (random). */
  csbId: number;
  csIdMap: SrtpIdEntry[];
}

/** §6.6 timestamp: NTP-UTC (0) and NTP (1) are 8 bytes, COUNTER (2) 4 bytes. */
export interface PayloadT {
  type: 'T';
  tsType: 0 | 1 | 2;
  value: bigint;
}

export interface PayloadRand {
  type: 'RAND';
  data: Uint8Array;
}

/** §6.10 security policy: a list of (type, value) parameters (§6.10.1 for SRTP). */
export interface PayloadSp {
  type: 'SP';
  policyNo: number;
  /** 0: SRTP, the only protocol defined. */
  protType: number;
  params: { type: number; value: Uint8Array }[];
}

/** §6.13 key data: a TEK (type 2), optionally with an SPI/MKI (KV type 1). */
export interface KeyData {
  key: Uint8Array;
  spi?: Uint8Array;
}

/** §6.2 key data transport, with NULL encryption and NULL MAC: the keys in the clear. */
export interface PayloadKemac {
  type: 'KEMAC';
  keys: KeyData[];
}

export type MikeyPayload = PayloadT | PayloadRand | PayloadSp | PayloadKemac;

export interface MikeyMessage {
  header: MikeyHeader;
  payloads: MikeyPayload[];
}

/** §6.1.b payload type numbers (the "next payload" field). */
const PT = { LAST: 0, KEMAC: 1, T: 5, SP: 10, RAND: 11, KEY_DATA: 20 } as const;
const TYPE_OF: Record<MikeyPayload['type'], number> = { T: PT.T, RAND: PT.RAND, SP: PT.SP, KEMAC: PT.KEMAC };
const TEK = 2;
const KV_NULL = 0;
const KV_SPI = 1;
const TS_LENGTH = [8, 8, 4] as const;

class Reader {
  pos = 0;
  constructor(private readonly b: Uint8Array) {}
  get left(): number {
    return this.b.length - this.pos;
  }
  need(n: number, what: string): void {
    if (this.left < n) throw new MikeyError(`${what} is cut short: ${n} bytes needed at byte ${this.pos}, ${this.left} left`);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.b[this.pos++]!;
  }
  u16(what: string): number {
    this.need(2, what);
    const v = (this.b[this.pos]! << 8) | this.b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }
  u32(what: string): number {
    this.need(4, what);
    const p = this.pos;
    this.pos += 4;
    return ((this.b[p]! << 24) | (this.b[p + 1]! << 16) | (this.b[p + 2]! << 8) | this.b[p + 3]!) >>> 0;
  }
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.b.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

export function parseMikey(bytes: Uint8Array): MikeyMessage {
  const r = new Reader(bytes);
  const version = r.u8('MIKEY header');
  if (version !== 1) throw new MikeyError(`MIKEY version ${version} is not supported: only version 1 exists (RFC 3830 §6.1)`);
  const dataType = r.u8('MIKEY header');
  if (dataType !== DATA_TYPE_PSK_INIT) {
    throw new MikeyError(`MIKEY data type ${dataType} is not supported: only 0, a pre-shared-key initiation (the form RTSP uses over TLS)`);
  }
  let next = r.u8('MIKEY header');
  const vPrf = r.u8('MIKEY header');
  if (vPrf & 0x80) throw new MikeyError('MIKEY V flag set: a verification message answers an exchange RTSP does not make');
  if ((vPrf & 0x7f) !== 0) throw new MikeyError(`MIKEY PRF ${vPrf & 0x7f} is not supported: only 0 (MIKEY-1)`);
  const csbId = r.u32('MIKEY header');
  const n = r.u8('MIKEY header');
  const mapType = r.u8('MIKEY header');
  if (mapType !== MAP_TYPE_SRTP_ID) throw new MikeyError(`MIKEY CS ID map type ${mapType} is not supported: only 0 (SRTP-ID)`);
  const csIdMap: SrtpIdEntry[] = [];
  for (let i = 0; i < n; i++) csIdMap.push({ policyNo: r.u8('CS ID map'), ssrc: r.u32('CS ID map'), roc: r.u32('CS ID map') });
  const payloads: MikeyPayload[] = [];
  while (next !== PT.LAST) {
    const type = next;
    next = r.u8('payload');
    payloads.push(parsePayload(type, r));
  }
  // Milestone XProtect ends its messages with one zero byte (gortsplib accepts it too).
  if (r.left > 1 || (r.left === 1 && bytes[r.pos] !== 0)) throw new MikeyError(`${r.left} bytes after the last MIKEY payload`);
  return { header: { csbId, csIdMap }, payloads };
}

function parsePayload(type: number, r: Reader): MikeyPayload {
  switch (type) {
    case PT.T: {
      const tsType = r.u8('T payload');
      if (tsType > 2) throw new MikeyError(`T payload: timestamp type ${tsType} is unknown (0 NTP-UTC, 1 NTP, 2 COUNTER)`);
      const len = TS_LENGTH[tsType as 0 | 1 | 2];
      let value = 0n;
      for (let i = 0; i < len; i++) value = (value << 8n) | BigInt(r.u8('T payload'));
      return { type: 'T', tsType: tsType as 0 | 1 | 2, value };
    }
    case PT.RAND: {
      const len = r.u8('RAND payload');
      // §6.11: at least 128 bits of randomness.
      if (len < 16) throw new MikeyError(`RAND payload: ${len} bytes of random data, at least 16 are required (RFC 3830 §6.11)`);
      return { type: 'RAND', data: r.bytes(len, 'RAND payload') };
    }
    case PT.SP: {
      const policyNo = r.u8('SP payload');
      const protType = r.u8('SP payload');
      if (protType !== 0) throw new MikeyError(`SP payload: protocol ${protType} is not supported: only 0 (SRTP)`);
      const len = r.u16('SP payload');
      r.need(len, 'SP payload parameters');
      const end = r.pos + len;
      const params: PayloadSp['params'] = [];
      while (r.pos < end) {
        const t = r.u8('SP parameter');
        const l = r.u8('SP parameter');
        if (r.pos + l > end) throw new MikeyError(`SP parameter ${t}: its ${l} bytes run past the policy's ${len}`);
        params.push({ type: t, value: r.bytes(l, 'SP parameter') });
      }
      return { type: 'SP', policyNo, protType, params };
    }
    case PT.KEMAC:
      return parseKemac(r);
    default:
      throw new MikeyError(`MIKEY payload type ${type} is not supported (T, RAND, SP and KEMAC are)`);
  }
}

function parseKemac(r: Reader): PayloadKemac {
  const encr = r.u8('KEMAC payload');
  if (encr !== 0) throw new MikeyError(`KEMAC: encryption algorithm ${encr} is not supported: only NULL (0), the keys in the clear inside TLS`);
  const len = r.u16('KEMAC payload');
  const sub = new Reader(r.bytes(len, 'KEMAC encrypted data'));
  const keys: KeyData[] = [];
  let next: number = PT.KEY_DATA;
  while (next === PT.KEY_DATA) {
    next = sub.u8('key data');
    const typeKv = sub.u8('key data');
    const kind = typeKv >> 4;
    const kv = typeKv & 0x0f;
    if (kind !== TEK) throw new MikeyError(`key data type ${kind} is not supported: only 2 (TEK, the SRTP master key and salt)`);
    if (kv !== KV_NULL && kv !== KV_SPI) throw new MikeyError(`key validity type ${kv} is not supported: only 0 (none) and 1 (SPI/MKI)`);
    const key = sub.bytes(sub.u16('key data'), 'key data');
    const k: KeyData = { key };
    if (kv === KV_SPI) k.spi = sub.bytes(sub.u8('key data SPI'), 'key data SPI');
    keys.push(k);
    if (next !== PT.KEY_DATA && next !== PT.LAST) throw new MikeyError(`KEMAC: sub-payload type ${next} is not key data`);
  }
  if (sub.left !== 0) throw new MikeyError(`KEMAC: ${sub.left} bytes after its last key data`);
  const mac = r.u8('KEMAC payload');
  if (mac !== 0) throw new MikeyError(`KEMAC: MAC algorithm ${mac} is not supported: only NULL (0)`);
  return { type: 'KEMAC', keys };
}

class Writer {
  private readonly out: number[] = [];
  u8(v: number): void {
    this.out.push(v & 0xff);
  }
  u16(v: number): void {
    this.out.push((v >>> 8) & 0xff, v & 0xff);
  }
  u32(v: number): void {
    this.out.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }
  bytes(b: Uint8Array): void {
    for (const x of b) this.out.push(x);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

export function formatMikey(m: MikeyMessage): Uint8Array {
  const w = new Writer();
  const map = m.header.csIdMap;
  if (map.length > 255) throw new MikeyError(`${map.length} crypto sessions: at most 255 fit a MIKEY header`);
  w.u8(1);
  w.u8(DATA_TYPE_PSK_INIT);
  w.u8(m.payloads.length ? TYPE_OF[m.payloads[0]!.type] : PT.LAST);
  w.u8(0); // V = 0, PRF = MIKEY-1
  w.u32(m.header.csbId);
  w.u8(map.length);
  w.u8(MAP_TYPE_SRTP_ID);
  for (const e of map) {
    w.u8(e.policyNo);
    w.u32(e.ssrc);
    w.u32(e.roc);
  }
  m.payloads.forEach((p, i) => {
    const after = m.payloads[i + 1];
    w.u8(after ? TYPE_OF[after.type] : PT.LAST);
    writePayload(w, p);
  });
  return w.done();
}

function writePayload(w: Writer, p: MikeyPayload): void {
  switch (p.type) {
    case 'T':
      w.u8(p.tsType);
      for (let i = TS_LENGTH[p.tsType] - 1; i >= 0; i--) w.u8(Number((p.value >> BigInt(8 * i)) & 0xffn));
      return;
    case 'RAND':
      if (p.data.length < 16 || p.data.length > 255) throw new MikeyError(`RAND payload: ${p.data.length} bytes, must be 16-255`);
      w.u8(p.data.length);
      w.bytes(p.data);
      return;
    case 'SP': {
      w.u8(p.policyNo);
      w.u8(p.protType);
      w.u16(p.params.reduce((n, x) => n + 2 + x.value.length, 0));
      for (const x of p.params) {
        if (x.value.length > 255) throw new MikeyError(`SP parameter ${x.type}: ${x.value.length} bytes, at most 255`);
        w.u8(x.type);
        w.u8(x.value.length);
        w.bytes(x.value);
      }
      return;
    }
    case 'KEMAC': {
      const sub = new Writer();
      p.keys.forEach((k, i) => {
        sub.u8(i + 1 < p.keys.length ? PT.KEY_DATA : PT.LAST);
        sub.u8((TEK << 4) | (k.spi ? KV_SPI : KV_NULL));
        sub.u16(k.key.length);
        sub.bytes(k.key);
        if (k.spi) {
          sub.u8(k.spi.length);
          sub.bytes(k.spi);
        }
      });
      const data = sub.done();
      w.u8(0); // NULL encryption
      w.u16(data.length);
      w.bytes(data);
      w.u8(0); // NULL MAC: no MAC field follows
      return;
    }
  }
}
