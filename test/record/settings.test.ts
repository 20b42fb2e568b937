import { describe, expect, it } from 'vitest';
import { ConfigError, makeConfig } from '../../server/config.js';
import { recordingsConfig } from '../../server/record/settings.js';

describe('recording settings', () => {
  it('defaults: fmp4, 1 s parts, 1 h segments, 24 h retention, nothing recorded', () => {
    const s = recordingsConfig(makeConfig({})).settingsOf('any/path')!;
    expect(s).toEqual({ record: false, recordPath: './recordings/%path/%Y-%m-%d_%H-%M-%S-%f', recordFormat: 'fmp4', recordPartDuration: 1, recordSegmentDuration: 3600, recordDeleteAfter: 86400 });
  });

  it('a path overrides the top level; a ~regex path serves what it matches; durations as strings or seconds', () => {
    const c = recordingsConfig(
      makeConfig({
        recordSegmentDuration: '10m',
        recordDeleteAfter: 0,
        paths: { 'cams/door': { record: true, recordPartDuration: '250ms' }, '~^ptz/': { record: true, recordSegmentDuration: 60, recordPath: '/srv/%path/%S' } },
      }),
    );
    expect(c.settingsOf('cams/door')).toMatchObject({ record: true, recordPartDuration: 0.25, recordSegmentDuration: 600, recordDeleteAfter: 0 });
    expect(c.settingsOf('ptz/1')).toMatchObject({ record: true, recordSegmentDuration: 60, recordPath: '/srv/%path/%S' });
    expect(c.settingsOf('other')).toMatchObject({ record: false });
    expect(c.templates().map((t) => t.template).sort()).toEqual(['./recordings/%path/%Y-%m-%d_%H-%M-%S-%f', '/srv/%path/%S']);
  });

  it.each([
    [{ recordFormat: 'mkv' }, 'recordFormat'],
    [{ recordSegmentDuration: '1x' }, 'is not a duration'],
    [{ recordPartDuration: '10ms' }, 'at least 0.1'],
    [{ recordPath: './rec/%Y-%m-%d' }, 'must contain %path'],
    [{ paths: { cam: { recordPath: './rec/%path/%Y' } } }, '%S or %f'],
  ])('%j is refused: %s', (input, message) => {
    expect(() => makeConfig(input as never)).toThrow(ConfigError);
    expect(() => makeConfig(input as never)).toThrow(message);
  });
});

describe('reloading recording keys', () => {
  it('a path whose record keys alone change is not restarted; top-level record keys apply live', async () => {
    const { diffConfig, describeDiff, isEmptyDiff } = await import('../../server/config-diff.js');
    const a = makeConfig({ paths: { cam: { source: 'publisher' } } });
    const b = makeConfig({ recordDeleteAfter: '1h', paths: { cam: { source: 'publisher', record: true } } });
    const d = diffConfig(a, b);
    expect(d).toMatchObject({ changed: [], recording: ['cam'], live: ['recordDeleteAfter'], restart: [] });
    expect(describeDiff(d)).toContain('recording of cam changed');
    expect(isEmptyDiff(d)).toBe(false);
    expect(isEmptyDiff(diffConfig(a, a))).toBe(true);
  });
});
