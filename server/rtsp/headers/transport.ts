// Transport header (RFC 2326 §12.39): how and where RTP is carried, offered by SETUP and echoed in its reply.

import { quote, splitOutsideQuotes } from './quoted.js';
import { RtspError } from '../errors.js';

export interface TransportHeader {
  /** "RTP/AVP" normally; other profiles are kept as written (upper-cased) for the caller to refuse with 461. */
  protocol: 'RTP/AVP' | 'RTP/AVPF' | 'RTP/SAVP' | string;
  lowerTransport: 'UDP' | 'TCP';
  delivery?: 'unicast' | 'multicast';
  /** '' when the parameter was given without a value (§12.39 allows `;destination`). */
  destination?: string;
  source?: string;
  interleaved?: [number, number];
  clientPort?: [number, number];
  serverPort?: [number, number];
  port?: [number, number];
  ttl?: number;
  ssrc?: number;
  /** Lower-cased, quotes removed: "play", "record", or "receive" (an old name for record). */
  mode?: string;
  append?: boolean;
  layers?: number;
  /** Parameters this module does not know, in order, kept so a proxy can pass them on. */
  extra: [string, string | undefined][];
}

/** Parses the whole header: a comma-separated list of alternatives, in the client's order of preference. */
export function parseTransport(value: string): TransportHeader[] {
  // An unclosed quote would take the rest of the header as one value, and the parameters after it
  // with it: `destination="a;client_port=5000-5001` is refused, not read as one destination.
  if ((value.match(/"/g)?.length ?? 0) % 2 !== 0) {
    throw new RtspError(400, `Transport: a quoted value is not closed in ${quote(value)}`);
  }
  const specs = splitOutsideQuotes(value, ',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (specs.length === 0) {
    throw new RtspError(400, 'Transport: no transport given, e.g. Transport: RTP/AVP;unicast;client_port=5000-5001');
  }
  return specs.map(parseSpec);
}

function parseSpec(spec: string): TransportHeader {
  const [head, ...params] = splitOutsideQuotes(spec, ';');
  const profile = head.trim().toUpperCase();
  const parts = profile.split('/');
  if (parts.length < 2 || parts.length > 3 || !/^[A-Z0-9.+-]+$/.test(parts[0]) || !/^[A-Z0-9.+-]+$/.test(parts[1])) {
    throw new RtspError(400, `Transport: expected RTP/AVP, RTP/AVP/UDP or RTP/AVP/TCP, got ${quote(head.trim())}`);
  }
  let lowerTransport: 'UDP' | 'TCP' = 'UDP'; // §12.39: UDP when the lower transport is omitted
  if (parts.length === 3) {
    if (parts[2] !== 'UDP' && parts[2] !== 'TCP') {
      // 461, not 400: the header is readable, the transport is just not one we can carry.
      throw new RtspError(461, `Transport: lower transport must be UDP or TCP, got ${quote(parts[2])}`);
    }
    lowerTransport = parts[2];
  }
  const h: TransportHeader = { protocol: `${parts[0]}/${parts[1]}`, lowerTransport, extra: [] };

  for (const raw of params) {
    const eq = raw.indexOf('=');
    const name = (eq === -1 ? raw : raw.slice(0, eq)).trim();
    const val = eq === -1 ? undefined : raw.slice(eq + 1).trim();
    if (name === '') {
      if (val === undefined) continue; // ";;" or a trailing ";"
      throw new RtspError(400, `Transport: parameter ${quote(raw.trim())} has no name`);
    }
    switch (name.toLowerCase()) {
      case 'unicast':
      case 'multicast':
        h.delivery = name.toLowerCase() as 'unicast' | 'multicast';
        break;
      case 'destination':
        h.destination = val ?? '';
        break;
      case 'source':
        h.source = need(name, val);
        break;
      case 'interleaved':
        h.interleaved = pair('interleaved', val, 255, 'one or two channel numbers (0-255)');
        break;
      case 'client_port':
        h.clientPort = pair('client_port', val, 65535, 'one or two port numbers');
        break;
      case 'server_port':
        h.serverPort = pair('server_port', val, 65535, 'one or two port numbers');
        break;
      case 'port':
        h.port = pair('port', val, 65535, 'one or two port numbers');
        break;
      case 'ttl':
        h.ttl = integer('ttl', val, 255);
        break;
      case 'layers':
        h.layers = integer('layers', val, 0xffffffff);
        break;
      case 'ssrc': {
        // §12.39: ssrc is 8 hex digits; shorter forms are accepted because some clients drop leading zeros.
        const text = need(name, val);
        if (!/^[0-9A-Fa-f]{1,8}$/.test(text)) {
          throw new RtspError(400, `Transport: ssrc must be up to 8 hexadecimal digits, got ${quote(text)}`);
        }
        h.ssrc = parseInt(text, 16);
        break;
      }
      case 'mode': {
        const mode = need(name, val).replace(/"/g, '').trim().toLowerCase();
        if (!/^[a-z0-9_.+-]+(?:\s*,\s*[a-z0-9_.+-]+)*$/.test(mode)) {
          throw new RtspError(400, `Transport: mode must be a method name such as play or record, got ${quote(val ?? '')}`);
        }
        h.mode = mode.replace(/\s*,\s*/g, ',');
        break;
      }
      case 'append':
        h.append = true;
        break;
      default:
        // Names are kept as written; values must not break the list syntax when written back.
        if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
          throw new RtspError(400, `Transport: ${quote(name)} is not a parameter name`);
        }
        h.extra.push([name, val]);
    }
  }
  return h;
}

/** Formats one transport spec; join several with "," for a list. */
export function formatTransport(h: TransportHeader): string {
  const out: string[] = [h.lowerTransport === 'TCP' ? `${h.protocol}/TCP` : h.protocol];
  if (h.delivery !== undefined) out.push(h.delivery);
  if (h.destination !== undefined) out.push(h.destination === '' ? 'destination' : `destination=${h.destination}`);
  if (h.source !== undefined) out.push(`source=${h.source}`);
  if (h.interleaved !== undefined) out.push(`interleaved=${h.interleaved[0]}-${h.interleaved[1]}`);
  if (h.clientPort !== undefined) out.push(`client_port=${h.clientPort[0]}-${h.clientPort[1]}`);
  if (h.serverPort !== undefined) out.push(`server_port=${h.serverPort[0]}-${h.serverPort[1]}`);
  if (h.port !== undefined) out.push(`port=${h.port[0]}-${h.port[1]}`);
  if (h.ttl !== undefined) out.push(`ttl=${h.ttl}`);
  if (h.layers !== undefined) out.push(`layers=${h.layers}`);
  if (h.ssrc !== undefined) out.push(`ssrc=${(h.ssrc >>> 0).toString(16).toUpperCase().padStart(8, '0')}`);
  // A list of modes must be quoted, or its comma would split the transport list.
  if (h.mode !== undefined) out.push(h.mode.includes(',') ? `mode="${h.mode}"` : `mode=${h.mode}`);
  if (h.append) out.push('append');
  for (const [name, val] of h.extra) out.push(val === undefined ? name : `${name}=${val}`);
  return out.join(';');
}

function need(name: string, val: string | undefined): string {
  if (val === undefined || val === '') throw new RtspError(400, `Transport: ${name} needs a value, e.g. ${name}=...`);
  return val;
}

function integer(name: string, val: string | undefined, max: number): number {
  const text = val ?? '';
  if (!/^\d{1,10}$/.test(text) || Number(text) > max) {
    throw new RtspError(400, `Transport: ${name} must be a whole number from 0 to ${max}, got ${quote(text)}`);
  }
  return Number(text);
}

/** `a-b`, or a lone `a` meaning a and a+1 (§12.39: RTP on the even port, RTCP on the next). */
function pair(name: string, val: string | undefined, max: number, what: string): [number, number] {
  const text = val ?? '';
  const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(text);
  const a = m ? Number(m[1]) : NaN;
  const b = m ? (m[2] === undefined ? a + 1 : Number(m[2])) : NaN;
  if (!(a <= max && b <= max)) {
    throw new RtspError(400, `Transport: ${name} must be ${what}, got ${quote(text)}`);
  }
  return [a, b];
}
