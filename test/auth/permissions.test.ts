// Permission paths: a table of globs (* within a segment, ** across) and ~regular expressions against paths, and api/metrics ignoring the path.
import { describe, expect, it } from 'vitest';
import { pathPatternProblem } from '../../server/config-auth.js';
import { allows, compilePathPattern, compilePermissions } from '../../server/auth/permissions.js';

const table: [pattern: string | undefined, path: string, matches: boolean][] = [
  [undefined, 'anything/at/all', true],
  ['', 'cams/door', true],
  ['cams/door', 'cams/door', true],
  ['cams/door', 'cams/door2', false],
  ['cams/door', 'x/cams/door', false],
  ['cams/*', 'cams/door', true],
  ['cams/*', 'cams/', true],
  ['cams/*', 'cams', false],
  ['cams/*', 'cams/a/b', false], // * stays within one segment
  ['cams/**', 'cams/a/b', true],
  ['cams/**', 'cams/', true],
  ['**', 'a/b/c', true],
  ['*', 'sample.mp4', true],
  ['*', 'live/cam', false],
  ['*.mp4', 'sample.mp4', true],
  ['*.mp4', 'sampleXmp4', false], // "." is literal
  ['live/cam-?', 'live/cam-1', false], // "?" is literal too
  ['live/cam-?', 'live/cam-?', true],
  ['a+b/(c)', 'a+b/(c)', true],
  ['a+b/(c)', 'aab/c', false],
  // ~: the regular expression as written, anchored only where it says so.
  ['~^live/alice-.*$', 'live/alice-1', true],
  ['~^live/alice-.*$', 'live/bob-1', false],
  ['~^live/alice-.*$', 'x/live/alice-1', false],
  ['~alice', 'live/alice-1', true],
  ['~alice$', 'live/alice-1', false],
  ['~^(cams|doors)/\\d+$', 'doors/12', true],
  ['~^(cams|doors)/\\d+$', 'doors/12a', false],
];

describe('permission paths', () => {
  it.each(table)('%j matches %j: %s', (pattern, path, matches) => {
    expect(compilePathPattern(pattern)(path)).toBe(matches);
  });

  it.each([
    ['~(unclosed', /is not a regular expression/],
    ['/cams/*', /without a leading "\/"/],
    ['cams/***', /"\*\*\*" means neither/],
  ])('refuses %j in the config: %s', (pattern, reason) => {
    expect(pathPatternProblem(pattern)).toMatch(reason);
  });

  it('grants an action only on matching paths; api and metrics whatever the path', () => {
    const perms = compilePermissions([
      { action: 'read', path: 'cams/*' },
      { action: 'publish', path: '~^live/alice-' },
      { action: 'api', path: 'ignored' },
      { action: 'metrics' },
    ]);
    expect(allows(perms, 'read', 'cams/door')).toBe(true);
    expect(allows(perms, 'read', 'live/alice-1')).toBe(false);
    expect(allows(perms, 'publish', 'live/alice-1')).toBe(true);
    expect(allows(perms, 'publish', 'cams/door')).toBe(false);
    expect(allows(perms, 'playback', 'cams/door')).toBe(false);
    expect(allows(perms, 'api', '')).toBe(true);
    expect(allows(perms, 'metrics', '')).toBe(true);
    expect(allows([], 'read', 'x')).toBe(false);
  });
});
