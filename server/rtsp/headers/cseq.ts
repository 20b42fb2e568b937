// CSeq header (RFC 2326 §12.17): the sequence number that pairs each response with its request.

import { RtspError } from '../errors.js';

/** The CSeq value; RFC 2326 §12.17 makes it 1*DIGIT, so it is kept as a number. */
export type CSeqHeader = number;

export function parseCSeq(value: string): CSeqHeader {
  const text = value.trim();
  if (text === '') throw new RtspError(400, 'CSeq: the header is empty; it must be the request number, e.g. CSeq: 1');
  if (!/^\d+$/.test(text)) {
    throw new RtspError(400, `CSeq: must be a non-negative whole number, got ${quote(text)}`);
  }
  const n = Number(text);
  // Beyond 2^53 a number can no longer be echoed back exactly.
  if (!Number.isSafeInteger(n)) throw new RtspError(400, `CSeq: ${quote(text)} is too large`);
  return n;
}

export function formatCSeq(h: CSeqHeader): string {
  return String(h);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
