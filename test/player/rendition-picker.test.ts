// The ws mode's receiver-based rate control: bad seconds step down, clean ones step up, a join is not judged, no flapping.
import { describe, expect, it } from 'vitest';
import { RenditionPicker, type LinkSample } from '../../player/src/rendition-picker.js';

/** Feeds one sample a second: `pps` packets, `lossPct` % of them lost, jitter `jitterMs`; returns the levels asked for. */
function feed(p: RenditionPicker, seconds: number, pps: number, lossPct: number, jitterMs: number, from: { s: LinkSample }): number[] {
  const out: number[] = [];
  for (let i = 0; i < seconds; i++) {
    const lost = Math.round((pps * lossPct) / 100);
    from.s = { packets: from.s.packets + pps - lost, lost: from.s.lost + lost, jitterMs };
    const next = p.update(from.s);
    if (next !== undefined) {
      out.push(next);
      from.s = { packets: 0, lost: 0, jitterMs: 0 }; // a new session: its counters start over
    }
  }
  return out;
}

describe('RenditionPicker', () => {
  it('stays on the main path while the link is clean', () => {
    const p = new RenditionPicker(3);
    expect(feed(p, 60, 100, 0, 3, { s: { packets: 0, lost: 0, jitterMs: 0 } })).toEqual([]);
    expect(p.level).toBe(0);
  });

  it.each([
    ['loss', 10, 3],
    ['jitter', 0, 80],
  ])('steps down one level at a time under %s, and not below the last', (_what, loss, jitter) => {
    const p = new RenditionPicker(3);
    const s = { s: { packets: 0, lost: 0, jitterMs: 0 } };
    expect(feed(p, 30, 100, loss, jitter, s)).toEqual([1, 2]);
    expect(p.level).toBe(2);
  });

  it('does not judge the seconds right after a switch (the join burst)', () => {
    const p = new RenditionPicker(2, { holdAfterSwitch: 3, badToDown: 2 });
    const s = { s: { packets: 0, lost: 0, jitterMs: 0 } };
    // 3 seconds held, then 2 bad ones: the step comes at the 5th second, not before.
    expect(feed(p, 4, 100, 20, 3, s)).toEqual([]);
    expect(feed(p, 1, 100, 20, 3, s)).toEqual([1]);
  });

  it('steps back up after clean seconds, and waits longer after a step up that failed', () => {
    const p = new RenditionPicker(2, { goodToUp: 5, holdAfterSwitch: 0, badToDown: 2 });
    const s = { s: { packets: 0, lost: 0, jitterMs: 0 } };
    const untilSwitch = (lossPct: number): number => {
      for (let n = 1; n <= 100; n++) if (feed(p, 1, 100, lossPct, 3, s).length) return n;
      return Infinity;
    };
    // A new session's first second has no previous one to compare with: bad or clean streaks start at its second.
    expect(untilSwitch(20)).toBe(3);
    expect(p.level).toBe(1);
    expect(untilSwitch(0)).toBe(6);
    expect(p.level).toBe(0);
    // Trouble right after the step up: down again, and the next step up takes twice as long.
    expect(untilSwitch(20)).toBe(3);
    expect(untilSwitch(0)).toBe(11);
    // This time it holds: after 5 clean seconds the backoff is forgotten, the next round is quick again.
    expect(feed(p, 6, 100, 0, 3, s)).toEqual([]);
    expect(untilSwitch(20)).toBe(2);
    expect(untilSwitch(0)).toBe(6);
  });

  it('a stalled stream (no packet in a second) counts as bad; a counter reset is ignored', () => {
    const p = new RenditionPicker(2, { holdAfterSwitch: 0 });
    expect(p.update({ packets: 100, lost: 0, jitterMs: 1 })).toBeUndefined();
    expect(p.update({ packets: 100, lost: 0, jitterMs: 1 })).toBeUndefined();
    expect(p.update({ packets: 100, lost: 0, jitterMs: 1 })).toBe(1);
    const q = new RenditionPicker(2, { holdAfterSwitch: 0 });
    q.update({ packets: 500, lost: 0, jitterMs: 1 });
    expect(q.update({ packets: 10, lost: 0, jitterMs: 1 })).toBeUndefined();
  });
});
