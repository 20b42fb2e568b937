// Scale header (RFC 2326 §12.34): the playback speed and direction a client asks for (2 = twice as fast, -1 = reverse).

import { RtspError } from '../errors.js';

const USAGE = 'e.g. Scale: 2 or Scale: -1.0';
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
/** Faster than this, a recording of 1 s GOPs would send a key frame every few ms: nobody can watch that. */
export const MAX_SCALE = 64;

export function parseScale(value: string): number {
  const text = value.trim();
  if (!NUMBER.test(text)) throw new RtspError(400, `Scale: expected a number, ${USAGE}, got ${JSON.stringify(text.slice(0, 40))}`);
  const scale = Number(text);
  if (scale === 0) throw new RtspError(400, `Scale: 0 is no speed; send PAUSE to stop, ${USAGE}`);
  return scale;
}

/** One decimal at least, as RFC 2326's examples write it (`Scale: -1.0`). */
export function formatScale(scale: number): string {
  return Number.isInteger(scale) ? scale.toFixed(1) : String(Number(scale.toFixed(3)));
}
