import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordPathMatcher, recordRoot, renderRecordPath } from '../../server/record/path-template.js';

// Local time, as strftime: built from local fields so the test holds in any time zone.
const when = new Date(2026, 11, 3, 22, 10, 5, 123);

describe('renderRecordPath', () => {
  it.each([
    ['./recordings/%path/%Y-%m-%d_%H-%M-%S-%f', 'cams/door', './recordings/cams/door/2026-12-03_22-10-05-123000'],
    ['/srv/%Y/%m/%d/%path/%H%M%S', 'cam', '/srv/2026/12/03/cam/221005'],
    ['rec/%path-%f', 'a', 'rec/a-123000'],
    ['rec/100%%/%path', 'a', 'rec/100%/a'],
  ])('%s for %s', (template, path, expected) => {
    expect(renderRecordPath(template, path, when)).toBe(expected);
  });

  it('%f takes microseconds when given', () => {
    expect(renderRecordPath('%path_%f', 'x', when, 7)).toBe('x_000007');
  });
});

describe('recordRoot and recordPathMatcher', () => {
  it.each([
    ['./recordings/%path/%Y-%m-%d_%H-%M-%S-%f', resolve('recordings')],
    ['/srv/%Y/%path', '/srv'],
    ['%path/%Y', resolve('.')],
  ])('root of %s', (template, root) => {
    expect(recordRoot(template)).toBe(root);
  });

  it.each([
    ['./recordings/%path/%Y-%m-%d_%H-%M-%S-%f', resolve('recordings/cams/door/2026-12-03_22-10-05-123000'), 'cams/door'],
    ['./recordings/%path/%Y-%m-%d_%H-%M-%S-%f', resolve('recordings/cam/2026-12-03_22-10-05'), undefined],
    ['./recordings/%path/%Y-%m-%d_%H-%M-%S-%f', resolve('other/cam/2026-12-03_22-10-05-123000'), undefined],
    ['/srv/%Y/%m/%d/%path/%H%M%S', '/srv/2026/12/03/cam/221005', 'cam'],
    ['/srv/%Y/%m/%d/%path/%H%M%S', '/srv/2026/12/03/a/b/221005', 'a/b'],
    ['%path/%S', resolve('x/05'), 'x'],
  ])('%s matches %s as %s', (template, file, path) => {
    expect(recordPathMatcher(template)(file)).toBe(path);
  });

  it('a rendered file matches back to its path', () => {
    const t = '/var/rec/%path/%Y-%m-%d_%H-%M-%S-%f';
    expect(recordPathMatcher(t)(renderRecordPath(t, 'cams/door/1', when))).toBe('cams/door/1');
  });
});

describe('recordPathParser', () => {
  it('gives the path and, with every field to the second, the local time of the name', async () => {
    const { recordPathParser, renderRecordPath } = await import('../../server/record/path-template.js');
    const t = '/srv/rec/%path/%Y-%m-%d_%H-%M-%S-%f';
    const d = new Date(2026, 11, 3, 22, 10, 5, 250);
    const parsed = recordPathParser(t)(renderRecordPath(t, 'cams/door', d));
    expect(parsed).toEqual({ path: 'cams/door', timeMs: d.getTime() });
    expect(recordPathParser('/srv/%path/%S')('/srv/cam/07')).toEqual({ path: 'cam' });
    expect(recordPathParser(t)('/elsewhere/cam/x')).toBeUndefined();
  });
});
