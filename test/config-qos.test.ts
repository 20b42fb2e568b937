// qos config: defaults, a path's keys over the top level (named and ~regex paths), refusals, and a reload that changes only qos.
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../server/config.js';
import { qosSettingsOf } from '../server/config-qos.js';
import { diffConfig, describeDiff } from '../server/config-diff.js';

describe('qos config', () => {
  it('defaults: thinning on, 2 % congested, 10 % failing', () => {
    expect(makeConfig({}).qos).toEqual({ thinning: true, renditions: true, lossCongested: 0.02, lossFailing: 0.1 });
  });

  it('a path sets any of the keys over the top level; ~regex paths too; other paths take the top level', () => {
    const c = makeConfig({
      qos: { lossCongested: 0.05, lossFailing: 0.2 },
      paths: { cam: { qos: { thinning: false } }, '~^lossy/': { qos: { lossFailing: 0.3 } } },
    });
    expect(qosSettingsOf(c, 'cam')).toEqual({ thinning: false, renditions: true, lossCongested: 0.05, lossFailing: 0.2 });
    expect(qosSettingsOf(c, 'lossy/one')).toEqual({ thinning: true, renditions: true, lossCongested: 0.05, lossFailing: 0.3 });
    expect(qosSettingsOf(c, 'elsewhere')).toEqual({ thinning: true, renditions: true, lossCongested: 0.05, lossFailing: 0.2 });
  });

  it('refuses thresholds out of order or out of 0..1, and unknown keys', () => {
    expect(() => makeConfig({ qos: { lossCongested: 0.2, lossFailing: 0.1 } })).toThrow(/lossFailing must be above lossCongested/);
    expect(() => makeConfig({ qos: { lossFailing: 1.5 } })).toThrow(/lossFailing/);
    expect(() => makeConfig({ paths: { a: { qos: { thining: true } as never } } })).toThrow(/thining/);
  });

  it('a reload that changes only a path\'s qos restarts nothing and says so', () => {
    const old = makeConfig({ paths: { cam: { qos: { thinning: true } } } });
    const next = makeConfig({ paths: { cam: { qos: { thinning: false } } }, qos: { lossCongested: 0.03 } });
    const d = diffConfig(old, next);
    expect(d.changed).toEqual([]);
    expect(d.qos).toEqual(['cam']);
    expect(d.live).toEqual(['qos']);
    expect(describeDiff(d)).toContain('qos of cam changed');
  });
});
