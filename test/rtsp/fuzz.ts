// Shared helpers for the RTSP fuzz tests: a seeded PRNG and a string mutator, so failures replay exactly.
import { prng } from '../helpers/prng.js';

export { prng };

import { isDeepStrictEqual } from 'node:util';
import { RtspError } from '../../server/rtsp/errors.js';


const ALPHABET = '0123456789abcdefABCDEF-=;,.:/"\' \t\r\n\0éx_*$npt=now-url=seq=rtptime=timeout=client_port=RTP/AVP/TCP';

/** One to four random edits (insert, delete, replace, duplicate, truncate, splice) of a random seed string. */
export function mutate(seeds: readonly string[], rnd: () => number): string {
  const pick = (n: number) => Math.floor(rnd() * n);
  let s = seeds[pick(seeds.length)];
  const edits = 1 + pick(4);
  for (let e = 0; e < edits; e++) {
    const at = pick(s.length + 1);
    switch (pick(6)) {
      case 0:
        s = s.slice(0, at) + ALPHABET[pick(ALPHABET.length)] + s.slice(at);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + 1);
        break;
      case 2:
        s = s.slice(0, at) + ALPHABET[pick(ALPHABET.length)] + s.slice(at + 1);
        break;
      case 3:
        s = s.slice(0, at) + s.slice(at, at + 1 + pick(8)) + s.slice(at);
        break;
      case 4:
        s = s.slice(0, at);
        break;
      default:
        s = s.slice(0, at) + seeds[pick(seeds.length)].slice(pick(8));
    }
  }
  return s;
}

/**
 * Runs `count` mutated inputs through parse. Each must either parse, or throw an RtspError; what
 * parses must format, and the formatted text must parse back to the same value. Returns the
 * problems found (empty when all is well) so the test prints them all at once.
 */
export function fuzzHeader<T>(
  parse: (value: string) => T,
  format: (h: T) => string,
  seeds: readonly string[],
  seed = 1,
  count = 10_000,
): string[] {
  const rnd = prng(seed);
  const problems: string[] = [];
  for (let i = 0; i < count && problems.length < 10; i++) {
    const input = mutate(seeds, rnd);
    let parsed: T;
    try {
      parsed = parse(input);
    } catch (err) {
      if (!(err instanceof RtspError)) problems.push(`${JSON.stringify(input)} threw ${String(err)}`);
      continue;
    }
    try {
      const text = format(parsed);
      const again = parse(text);
      if (!isDeepStrictEqual(again, parsed)) {
        problems.push(`${JSON.stringify(input)} -> ${JSON.stringify(text)} parsed differently: ${JSON.stringify(parsed)} vs ${JSON.stringify(again)}`);
      }
    } catch (err) {
      problems.push(`${JSON.stringify(input)} parsed to ${JSON.stringify(parsed)} but did not round-trip: ${String(err)}`);
    }
  }
  return problems;
}

/** Runs fn and returns the RtspError it throws; fails the test if it returns or throws anything else. */
export function catchRtspError(fn: () => unknown): RtspError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RtspError) return err;
    throw err;
  }
  throw new Error('expected an RtspError, but nothing was thrown');
}
