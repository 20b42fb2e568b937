// The QoS judge on synthetic receiver reports and a simulated clock: down at once, up one level after clean reports, no flapping.
import { describe, expect, it } from 'vitest';
import { QosJudge, judgeReport, type QosState } from '../../server/core/qos.js';

const T = { lossCongested: 0.02, lossFailing: 0.1 };
const report = (fractionLost: number) => ({ fractionLost, cumulativeLost: 0, jitterMs: 1 });

/** A judge on a clock the test moves: each report comes `everyMs` after the previous one. */
function judged(losses: number[], everyMs = 1000, opts: { cleanReports?: number; holdMs?: number } = {}): QosState[] {
  let now = 0;
  const j = new QosJudge({ now: () => now, ...opts });
  return losses.map((l) => {
    now += everyMs;
    j.report(report(l), T);
    return j.state;
  });
}

describe('QoS judge', () => {
  it('one report alone: below lossCongested good, from it congested, from lossFailing failing', () => {
    expect([0, 0.019, 0.02, 0.05, 0.1, 0.5].map((l) => judgeReport(report(l), T))).toEqual(['good', 'good', 'congested', 'congested', 'failing', 'failing']);
  });

  it('steps down at once, whatever the state: good to failing on one bad report', () => {
    expect(judged([0, 0.3])).toEqual(['good', 'failing']);
    expect(judged([0.05, 0.2])).toEqual(['congested', 'failing']);
  });

  it('steps up one level at a time, after 3 clean reports in a row (reports 2 s apart, past the 4 s hold)', () => {
    expect(judged([0.2, 0, 0, 0, 0, 0, 0], 2000)).toEqual(['failing', 'failing', 'failing', 'congested', 'congested', 'congested', 'good']);
  });

  it('a congested-range report counts as clean for failing, not for congested', () => {
    expect(judged([0.2, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05], 2000)).toEqual(['failing', 'failing', 'failing', 'congested', 'congested', 'congested', 'congested']);
  });

  it('a bad report among clean ones starts the count again: alternating reports never step up (no flapping)', () => {
    const states = judged([0.2, 0, 0, 0.2, 0, 0, 0.2, 0, 0, 0.2]);
    expect(new Set(states)).toEqual(new Set(['failing']));
  });

  it('reports in a burst do not step up before holdMs has passed in the state', () => {
    // Reports 100 ms apart: 3 clean ones come within 400 ms, the hold is 4 s.
    const states = judged([0.2, ...Array(50).fill(0)], 100);
    const firstUp = states.indexOf('congested');
    expect(firstUp).toBeGreaterThanOrEqual(40);
    expect(states.slice(0, firstUp).every((s) => s === 'failing')).toBe(true);
  });

  it('keeps the latest report and counts them', () => {
    let now = 0;
    const j = new QosJudge({ now: () => now });
    j.report({ fractionLost: 0.03, cumulativeLost: 7, jitterMs: 4.5, rttMs: 12 }, T);
    now += 10;
    expect(j.report(report(0), T)).toBeUndefined();
    expect(j.reports).toBe(2);
    expect(j.last?.fractionLost).toBe(0);
  });

  it('returns the state before a change', () => {
    const j = new QosJudge({ now: () => 0 });
    expect(j.report(report(0.5), T)).toBe('good');
    expect(j.report(report(0.5), T)).toBeUndefined();
  });
});
