// Shared helpers for the RTSP fuzz tests: a seeded PRNG and a string mutator, so failures replay exactly.
import { prng } from '../helpers/prng.js';

export { prng };

import { isDeepStrictEqual } from 'node:util';
import { RtspError } from '../../server/rtsp/errors.js';
import type { ParsedItem } from '../../server/rtsp/parser.js';


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
 * The property every typed header keeps for any input: parse returns or throws an RtspError, and
 * what parses formats to text that parses back to the same value. Undefined when it holds, else
 * what went wrong.
 */
export function headerProblem<T>(parse: (value: string) => T, format: (h: T) => string, input: string): string | undefined {
  let parsed: T;
  try {
    parsed = parse(input);
  } catch (err) {
    return err instanceof RtspError ? undefined : `${JSON.stringify(input)} threw ${String(err)}`;
  }
  try {
    const text = format(parsed);
    const again = parse(text);
    if (!isDeepStrictEqual(again, parsed)) {
      return `${JSON.stringify(input)} -> ${JSON.stringify(text)} parsed differently: ${JSON.stringify(parsed)} vs ${JSON.stringify(again)}`;
    }
  } catch (err) {
    return `${JSON.stringify(input)} parsed to ${JSON.stringify(parsed)} but did not round-trip: ${String(err)}`;
  }
  return undefined;
}

/**
 * Runs `count` mutated inputs through parse and headerProblem. Returns the problems found (empty
 * when all is well) so the test prints them all at once.
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
    const problem = headerProblem(parse, format, mutate(seeds, rnd));
    if (problem) problems.push(problem);
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

/** Items as plain data, so results of different chunkings compare with toEqual. */
export function plain(items: ParsedItem[]): unknown[] {
  return items.map((item) => {
    switch (item.type) {
      case 'request': {
        const { method, uri, version, headers, body } = item.message;
        return { type: 'request', method, uri, version, headers: [...headers], body: [...body] };
      }
      case 'response': {
        const { version, status, reason, headers, body } = item.message;
        return { type: 'response', version, status, reason, headers: [...headers], body: [...body] };
      }
      case 'interleaved':
        return { type: 'interleaved', channel: item.channel, data: [...item.data] };
      case 'error':
        return { type: 'error', status: item.error.status, reason: item.error.reason, fatal: item.error.fatal, cseq: item.cseq };
    }
  });
}
