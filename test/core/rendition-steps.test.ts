// The rendition ladder's decisions with a simulated clock: down one step when the link stays failing, up one step after
// it has been good long enough, a hold after every switch, and a longer wait after each step up that failed at once.
import { describe, expect, it } from 'vitest';
import { RenditionStepper, renditionLadder } from '../../server/core/rendition-steps.js';
import type { QosState } from '../../server/core/qos.js';

function stepper(rungs = 2) {
  let now = 0;
  const st = new RenditionStepper(rungs, { now: () => now, downReports: 2, holdMs: 5000, upGoodMs: 8000, upReports: 2, probeWindowMs: 30_000, maxUpGoodMs: 32_000 });
  /** One report every `every` ms; a switch asked is done at once. */
  const report = (state: QosState, every = 2000): number | undefined => {
    now += every;
    const to = st.report(state);
    if (to !== undefined) st.switched(to, true);
    return to;
  };
  return { st, report, tick: (ms: number) => (now += ms) };
}

describe('RenditionStepper', () => {
  it('orders renditions by bitrate, then height', () => {
    const l = renditionLadder([
      { name: '240p', height: 240, videoBitrate: 300_000 },
      { name: '480p', height: 480, videoBitrate: 1_000_000 },
      { name: '360p', height: 360, videoBitrate: 1_000_000 },
    ]);
    expect(l.map((r) => r.name)).toEqual(['480p', '360p', '240p']);
  });

  it('one failing report is not enough; two in a row step down one rung', () => {
    const { st, report } = stepper();
    expect(report('failing')).toBeUndefined();
    expect(report('congested')).toBeUndefined();
    expect(report('failing')).toBeUndefined();
    expect(report('failing')).toBe(1);
    expect(st.level).toBe(1);
  });

  it('holds after a switch, then can step down again to the lowest rung and no further', () => {
    const { st, report } = stepper();
    report('failing');
    expect(report('failing')).toBe(1);
    // Within the 5 s hold: failing reports count but do not switch.
    expect(report('failing')).toBeUndefined();
    expect(report('failing')).toBeUndefined();
    expect(report('failing')).toBe(2);
    for (let i = 0; i < 5; i++) expect(report('failing')).toBeUndefined();
    expect(st.level).toBe(2);
  });

  it('steps up one rung after 8 s good with two reports, and one more after another 8 s', () => {
    const { st, report } = stepper();
    report('failing');
    report('failing');
    report('failing', 5000);
    report('failing');
    expect(st.level).toBe(2);
    const ups: (number | undefined)[] = [];
    for (let i = 0; i < 10; i++) ups.push(report('good'));
    // Good from the first report (t0), then 8 s: the fifth report at 2 s each.
    expect(ups.indexOf(1)).toBe(4);
    expect(ups.indexOf(0)).toBe(9);
    expect(st.level).toBe(0);
  });

  it('a congested report restarts the good time; reports far apart still need two', () => {
    const { st, report } = stepper(1);
    report('failing');
    report('failing');
    expect(st.level).toBe(1);
    report('good');
    report('good');
    report('good');
    expect(report('congested')).toBeUndefined();
    expect(report('good', 9000)).toBeUndefined();
    expect(report('good', 9000)).toBe(0);
  });

  it('a step up that fails within the probe window doubles the next wait (up to the maximum); one that holds resets it', () => {
    const { st, report, tick } = stepper(1);
    const downThenWaitUp = (): number => {
      report('failing');
      report('failing');
      expect(st.level).toBe(1);
      let waited = 0;
      while (report('good', 1000) === undefined) waited += 1000;
      return waited;
    };
    report('failing');
    expect(downThenWaitUp()).toBe(8000);
    // The probe fails at once: back down after the hold, and the next probe waits 16 s, then 32 s, then 32 s.
    tick(5000);
    expect(downThenWaitUp()).toBe(16_000);
    tick(5000);
    expect(downThenWaitUp()).toBe(32_000);
    tick(5000);
    expect(downThenWaitUp()).toBe(32_000);
    // This time the main path holds for more than the probe window: the wait is back to 8 s.
    for (let i = 0; i < 16; i++) report('good');
    tick(5000);
    expect(st.upWait).toBe(8000);
    expect(downThenWaitUp()).toBe(8000);
  });

  it('after a step up, one failing report (past the hold) is enough to step back down', () => {
    const { st, report } = stepper(1);
    report('failing');
    report('failing');
    while (report('good') === undefined);
    expect(st.level).toBe(0);
    expect(report('failing')).toBeUndefined(); // within the 5 s hold
    expect(report('good')).toBeUndefined();
    expect(report('failing', 3000)).toBe(1);
  });

  it('no decision while a switch is pending; a failed switch keeps the level and holds before retrying', () => {
    let now = 0;
    const st = new RenditionStepper(1, { now: () => now });
    now += 1000;
    st.report('failing');
    now += 1000;
    expect(st.report('failing')).toBe(1);
    now += 1000;
    expect(st.report('failing')).toBeUndefined();
    st.switched(1, false);
    expect(st.level).toBe(0);
    now += 1000;
    expect(st.report('failing')).toBeUndefined();
    now += 5000;
    expect(st.report('failing')).toBe(1);
    st.switched(1, true);
    st.reset();
    expect(st.level).toBe(0);
  });
});
