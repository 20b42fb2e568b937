// Public header (RFC 2326 §12.28): the methods a server supports, as listed in an OPTIONS reply.

import { RtspError } from '../errors.js';

/** Method names in the order given; case is kept because methods are case-sensitive (§6.1). */
export type PublicHeader = string[];

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function parsePublic(value: string): PublicHeader {
  // 1#method: empty list elements (", ,") are allowed by the RFC 2616 list rule and skipped.
  const methods = value.split(',').map((m) => m.trim()).filter((m) => m !== '');
  if (methods.length === 0) throw new RtspError(400, 'Public: the list of methods is empty, e.g. Public: OPTIONS, DESCRIBE');
  for (const m of methods) {
    if (!TOKEN.test(m)) throw new RtspError(400, `Public: ${quote(m)} is not a method name`);
  }
  return methods;
}

export function formatPublic(h: PublicHeader): string {
  return h.join(', ');
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
