// KeyMgmt header (RFC 4567 §4): `prot=mikey; uri="rtsp://..."; data="<base64 MIKEY>"`, the SRTP keys a SETUP sends and its reply returns.
import { quote, splitOutsideQuotes } from './quoted.js';
import { base64Decode, base64Encode } from '../../sdp/base64.js';
import { RtspError } from '../errors.js';
import { formatMikey, MikeyError, parseMikey, type MikeyMessage } from '../mikey/message.js';

export interface KeyMgmtHeader {
  /** The URL the keys are for (the SETUP's); '' when the client left it out. */
  uri: string;
  message: MikeyMessage;
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Parses the header. RFC 4567 allows a comma-separated list of alternatives for other key
 * management protocols; the MIKEY one is taken, and a header without one is refused in words.
 */
export function parseKeyMgmt(value: string): KeyMgmtHeader {
  const specs = splitOutsideQuotes(value, ',').map((s) => s.trim()).filter((s) => s !== '');
  if (specs.length === 0) throw new RtspError(400, 'KeyMgmt: empty; expected prot=mikey; uri="<the SETUP URL>"; data="<base64 MIKEY message>" (RFC 4567 §4)');
  const offered: string[] = [];
  for (const spec of specs) {
    const params = new Map<string, string>();
    for (const raw of splitOutsideQuotes(spec, ';')) {
      const p = raw.trim();
      if (p === '') continue;
      const eq = p.indexOf('=');
      if (eq < 1) throw new RtspError(400, `KeyMgmt: ${quote(p)} is not name=value`);
      const name = p.slice(0, eq).trim().toLowerCase();
      params.set(name, unquote(p.slice(eq + 1).trim()));
    }
    const prot = params.get('prot');
    if (prot === undefined) throw new RtspError(400, 'KeyMgmt: no prot= (RFC 4567 §4 names the key management protocol first: prot=mikey)');
    offered.push(prot);
    if (prot.toLowerCase() !== 'mikey') continue;
    const data = params.get('data');
    if (data === undefined) throw new RtspError(400, 'KeyMgmt: prot=mikey without data="<base64 MIKEY message>"');
    const uri = params.get('uri') ?? '';
    if (/["\x00-\x1f\x7f]/.test(uri)) throw new RtspError(400, `KeyMgmt: uri=${quote(uri)} must be a URL in double quotes`);
    return { uri, message: decodeMikey(data) };
  }
  throw new RtspError(400, `KeyMgmt: key management ${offered.map(quote).join(', ')} is not supported; only MIKEY (prot=mikey)`);
}

export function formatKeyMgmt(h: KeyMgmtHeader): string {
  if (/["\x00-\x1f\x7f]/.test(h.uri)) throw new RtspError(500, 'KeyMgmt: the URI cannot hold a quote or a control character');
  return `prot=mikey; uri="${h.uri}"; data="${base64Encode(formatMikey(h.message))}"`;
}

/** A base64 MIKEY message (KeyMgmt data=, SDP a=key-mgmt:mikey), errors as 400 in words naming `where` it was. */
export function decodeMikey(text: string, where = 'KeyMgmt'): MikeyMessage {
  const clean = text.trim();
  if (!B64.test(clean) || clean.length % 4 !== 0) throw new RtspError(400, `${where}: the MIKEY data is not base64`);
  try {
    return parseMikey(base64Decode(clean));
  } catch (e) {
    if (e instanceof MikeyError) throw new RtspError(400, `${where}: ${e.message}`);
    throw e;
  }
}

function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}
