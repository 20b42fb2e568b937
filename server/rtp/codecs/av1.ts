// AV1 over RTP (AOMedia "RTP Payload Format for AV1" §4): aggregation header, OBU elements, fragmentation, key frames.
import { concatBytes } from '../../media/bytes.js';
import type { KeyFrameHint } from '../key-frame-hint.js';
import { MAX_FRAME_SIZE, seqCheck, type DepacketizedFrame, type Depacketizer, type DepacketizerInput } from './frame.js';
import {
  OBU_PADDING,
  OBU_SEQUENCE_HEADER,
  OBU_TEMPORAL_DELIMITER,
  leb128,
  readLeb128,
  splitObus,
  withoutSize,
  withSize,
  type ObuParts,
} from './av1-obu.js';

// Aggregation header (§4.4): Z Y W W N - - -.
const Z = 0x80;
const Y = 0x40;
const N = 0x08;
const OBU_TILE_LIST = 8;

/**
 * The first packet of a coded video sequence (N bit, §4.4) or one whose first OBU element is a
 * whole sequence header (senders put it first in a key frame's temporal unit) starts a key frame.
 */
export function av1KeyFrameHint(p: Uint8Array): KeyFrameHint {
  if (p.length < 2) return 'unknown';
  if (p[0]! & N) return 'key';
  if (p[0]! & Z) return 'unknown';
  const w = (p[0]! >>> 4) & 3;
  let off = 1;
  if (w !== 1) {
    const len = readLeb128(p, 1);
    if (!len) return 'unknown';
    off += len.size;
  }
  const h = p[off];
  if (h === undefined) return 'unknown';
  const type = (h >>> 3) & 0x0f;
  return type === OBU_SEQUENCE_HEADER ? 'key' : 'delta';
}

/** The OBU elements of a payload after the aggregation header; undefined when a length runs past the end. */
export function av1Elements(p: Uint8Array): Uint8Array[] | undefined {
  if (p.length < 1) return undefined;
  const w = (p[0]! >>> 4) & 3;
  const out: Uint8Array[] = [];
  let off = 1;
  while (off < p.length) {
    const last = w !== 0 && out.length === w - 1;
    if (last) {
      out.push(p.subarray(off));
      break;
    }
    const len = readLeb128(p, off);
    if (!len || off + len.size + len.value > p.length) return undefined;
    off += len.size;
    out.push(p.subarray(off, off + len.value));
    off += len.value;
  }
  return out;
}

/**
 * RTP payloads for one temporal unit (OBUs in low-overhead format, as in ISO BMFF samples or .obu
 * files): temporal delimiters, tile lists and padding dropped (§5), OBUs without size fields, each
 * element length-prefixed (W = 0), fragmented across packets with Z/Y. N on a sequence header's unit.
 */
export function packetizeAv1(data: Uint8Array[], mtu: number): Uint8Array[] {
  if (mtu < 4) throw new Error(`MTU ${mtu} leaves no room for AV1 data`);
  const obus: Uint8Array[] = [];
  for (const buf of data) {
    for (const o of splitObus(buf) ?? []) {
      if (o.type === OBU_TEMPORAL_DELIMITER || o.type === OBU_TILE_LIST || o.type === OBU_PADDING) continue;
      obus.push(withoutSize(o));
    }
  }
  if (obus.length === 0) return [];
  const newSeq = obus.some((o) => ((o[0]! >>> 3) & 0x0f) === OBU_SEQUENCE_HEADER);
  const packets: Uint8Array[][] = [];
  let cur: Uint8Array[] = [];
  let room = mtu - 1;
  const flags: { z: boolean; y: boolean }[] = [];
  // Z of the packet being filled: its first element continues the OBU the previous packet cut (that one's Y).
  let z = false;
  const close = (y: boolean): void => {
    packets.push(cur);
    flags.push({ z, y });
    cur = [];
    room = mtu - 1;
    z = y;
  };
  for (const obu of obus) {
    let rest = obu;
    for (;;) {
      const fit = Math.min(rest.length, room - leb128(Math.min(rest.length, room)).length);
      if (fit <= 0) {
        close(false);
        continue;
      }
      cur.push(leb128(fit), rest.subarray(0, fit));
      room -= leb128(fit).length + fit;
      rest = rest.subarray(fit);
      if (rest.length === 0) break;
      close(true);
    }
  }
  if (cur.length > 0) close(false);
  return packets.map((parts, i) => {
    const f = flags[i]!;
    const size = parts.reduce((n, x) => n + x.length, 0);
    const out = new Uint8Array(1 + size);
    out[0] = (f.z ? Z : 0) | (f.y ? Y : 0) | (i === 0 && newSeq ? N : 0);
    let off = 1;
    for (const x of parts) {
      out.set(x, off);
      off += x.length;
    }
    return out;
  });
}

/**
 * Temporal unit assembly: OBU elements per RTP timestamp, fragments joined across packets (Z/Y),
 * emitted on the marker or a timestamp change as OBUs with size fields (low-overhead format, one
 * per data element). A lost packet, a torn fragment or a unit over MAX_FRAME_SIZE marks it damaged.
 */
export class Av1Depacketizer implements Depacketizer {
  private lastSeq = -1;
  private open = false;
  private ts = 0;
  private obus: Uint8Array[] = [];
  private size = 0;
  private frag: Uint8Array[] | null = null;
  private fragSize = 0;
  private damaged = false;

  get bufferedBytes(): number {
    return this.size + this.fragSize;
  }

  push(pkt: DepacketizerInput): DepacketizedFrame[] {
    const out: DepacketizedFrame[] = [];
    const order = seqCheck(this.lastSeq, pkt.sequenceNumber);
    if (order < 0) return out;
    this.lastSeq = pkt.sequenceNumber & 0xffff;
    const ts = pkt.timestamp >>> 0;
    if (this.open && ts !== this.ts) {
      if (order > 0) this.damaged = true;
      this.flush(out);
    }
    if (!this.open) {
      this.open = true;
      this.ts = ts;
    }
    if (order > 0) {
      this.damaged = true;
      this.dropFragment();
    }
    this.add(pkt.payload);
    if (pkt.marker) this.flush(out);
    return out;
  }

  private add(p: Uint8Array): void {
    const elems = av1Elements(p);
    if (!elems) {
      this.damaged = true;
      this.dropFragment();
      return;
    }
    const z = (p[0]! & Z) !== 0;
    const y = (p[0]! & Y) !== 0;
    elems.forEach((e, i) => {
      const first = i === 0;
      const last = i === elems.length - 1;
      if (first && z) {
        if (!this.frag) this.damaged = true; // continuation of a fragment we never saw
        else this.appendFragment(e);
      } else {
        if (this.frag) this.dropFragment(true);
        this.frag = [e];
        this.fragSize = e.length;
      }
      if (!(last && y)) this.finishObu();
    });
  }

  private appendFragment(e: Uint8Array): void {
    this.frag!.push(e);
    this.fragSize += e.length;
    if (this.size + this.fragSize > MAX_FRAME_SIZE) this.dropFragment(true);
  }

  private dropFragment(damage = false): void {
    if (damage) this.damaged = true;
    this.frag = null;
    this.fragSize = 0;
  }

  private finishObu(): void {
    if (!this.frag) return;
    const whole = this.frag.length === 1 ? this.frag[0]! : concatBytes(this.frag);
    this.dropFragment();
    if (whole.length === 0) return;
    const o = obuOf(whole);
    if (!o) {
      this.damaged = true;
      return;
    }
    if (o.type === OBU_TEMPORAL_DELIMITER || o.type === OBU_TILE_LIST || o.type === OBU_PADDING) return;
    const sized = withSize(o);
    if (this.size + sized.length > MAX_FRAME_SIZE) {
      this.damaged = true;
      return;
    }
    this.obus.push(sized);
    this.size += sized.length;
  }

  private flush(out: DepacketizedFrame[]): void {
    if (this.frag) this.dropFragment(true); // the unit ended inside a fragmented OBU
    if (this.obus.length > 0 || this.damaged) {
      const f: DepacketizedFrame = { timestamp: this.ts, data: this.obus };
      if (this.damaged) f.damaged = true;
      out.push(f);
    }
    this.obus = [];
    this.size = 0;
    this.damaged = false;
    this.open = false;
  }
}

/** An OBU element (header, then payload to the end; a size field, if any, is honoured). */
function obuOf(e: Uint8Array): ObuParts | undefined {
  const h = e[0]!;
  if (h & 0x80) return undefined;
  const headerLen = h & 0x04 ? 2 : 1;
  if (e.length < headerLen) return undefined;
  if (h & 0x02) return splitObus(e)?.[0];
  return { type: (h >>> 3) & 0x0f, header: e.subarray(0, headerLen), payload: e.subarray(headerLen) };
}
