// ~regex path names: validated when loaded, matched against request paths, $G0..$G9 substituted.
import { describe, expect, it } from 'vitest';
import { ConfigError, makeConfig, pathNameProblem } from '../server/config.js';
import { compilePathRegex, encodeUrlPath, matchPathRegex, substituteGroups } from '../server/config-pattern.js';

describe('~regex path names', () => {
  it.each([
    ['~^cams/(.+)$', undefined],
    ['~^(.+)$', undefined],
    ['~cam', undefined],
    ['~^a?b#c%d\\e f$', undefined],
    ['~', /needs a regular expression after the "~"/],
    ['~^cams/(.+$', /"~\^cams\/\(\.\+\$" is not a regular expression \(.*\); write e\.g\./],
    ['~[', /is not a regular expression/],
  ])('%s', (name, problem) => {
    const p = pathNameProblem(name);
    if (problem === undefined) expect(p).toBeUndefined();
    else expect(p).toMatch(problem);
  });

  it('refuses a bad one in the config, naming it', () => {
    expect(() => makeConfig({ paths: { '~^(.+$': { source: 'rtsp://o/$G1' } } })).toThrow(ConfigError);
    expect(() => makeConfig({ paths: { '~^(.+$': { source: 'rtsp://o/$G1' } } })).toThrow(/paths\["~\^\(\.\+\$"\]: bad path name: .* is not a regular expression/);
  });

  it('refuses an always-on pattern: it names no path until asked', () => {
    expect(() => makeConfig({ paths: { '~^(.+)$': { source: 'rtsp://o/$G1', sourceOnDemand: false } } })).toThrow(/sourceOnDemand: a ~regex path names no path until a reader asks/);
  });

  it('takes $G1 in a source URL', () => {
    expect(makeConfig({ paths: { '~^cams/(.+)$': { source: 'rtsp://origin:8554/cams/$G1' } } }).paths['~^cams/(.+)$']!.source).toBe('rtsp://origin:8554/cams/$G1');
  });
});

describe('matching and substitution', () => {
  it.each([
    ['~^cams/(.+)$', 'cams/door', ['cams/door', 'door']],
    ['~^cams/(.+)$', 'other/door', undefined],
    ['~^(\\w+)/(\\w+)$', 'a/b', ['a/b', 'a', 'b']],
    ['~^(a)|(b)$', 'b', ['b', '', 'b']],
    ['~cam', 'mycams/x', ['cam']],
  ])('%s on %s', (name, path, groups) => {
    expect(matchPathRegex(compilePathRegex(name), path)).toEqual(groups);
  });

  it.each([
    ['rtsp://o/$G1', ['cams/door', 'door'], 'rtsp://o/door'],
    ['rtsp://o/$G0', ['cams/door', 'door'], 'rtsp://o/cams/door'],
    ['rtsp://o/$G1/$G2', ['a/b', 'a', 'b'], 'rtsp://o/a/b'],
    ['rtsp://o/$G5', ['x', 'y'], 'rtsp://o/'],
    ['rtsp://o/$G1', ['cams/door 1', 'door 1'], 'rtsp://o/door%201'],
    ['rtsp://o/$$G1 $G', ['x', 'y'], 'rtsp://o/$y $G'],
  ])('%s with %j', (text, groups, out) => {
    expect(substituteGroups(text, groups, encodeUrlPath)).toBe(out);
  });

  it('keeps "/" between segments when it encodes', () => {
    expect(encodeUrlPath('a b/c?d')).toBe('a%20b/c%3Fd');
  });
});
