// Finds where a reader starts in a seekable media's access units: the key frame for a video seek, the first audio unit after it.
import type { AccessUnit } from '../media/access-unit.js';

/**
 * Indexes of key units per unit list, built on first use. Unit lists of a SeekableMedia are
 * never mutated, so the cache stays valid; it goes away with the list.
 */
const keyIndex = new WeakMap<AccessUnit[], number[]>();

function keysOf(units: AccessUnit[]): number[] {
  let keys = keyIndex.get(units);
  if (!keys) {
    keys = [];
    for (let i = 0; i < units.length; i++) if (units[i]!.key) keys.push(i);
    keyIndex.set(units, keys);
  }
  return keys;
}

/**
 * Index (in decode order) of the last key unit whose pts <= `pts`; the first key unit when `pts`
 * is before all of them; -1 when there is no key unit. O(log keys) after a one-time O(n) scan.
 * Assumes key unit pts increase in decode order (true for closed and open GOPs alike).
 */
export function keyUnitIndexAtOrBefore(units: AccessUnit[], pts: number): number {
  const keys = keysOf(units);
  if (keys.length === 0) return -1;
  let lo = 0;
  let hi = keys.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (units[keys[mid]!]!.pts <= pts) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return keys[found]!;
}

/**
 * Index of the first unit with pts >= `pts`, or units.length when none. Binary search, so the list
 * must be in pts order: audio (decode order == presentation order), not B-frame video.
 */
export function firstUnitIndexAtOrAfter(units: readonly { pts: number }[], pts: number): number {
  let lo = 0;
  let hi = units.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (units[mid]!.pts < pts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
