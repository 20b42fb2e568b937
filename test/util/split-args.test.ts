// splitArgs: configured ffmpeg argument strings split as a POSIX shell would, one table of cases.
import { describe, expect, it } from 'vitest';
import { splitArgs } from '../../server/util/split-args.js';

const cases: [string, string[]][] = [
  ['-re -i in.mp4 -c copy', ['-re', '-i', 'in.mp4', '-c', 'copy']],
  ['  -i\t"my clip.mp4"  ', ['-i', 'my clip.mp4']],
  [`-vf "drawtext=text='%{pts\\:hms}'"`, ['-vf', "drawtext=text='%{pts\\:hms}'"]],
  [`-vf 'a\\b "c"'`, ['-vf', 'a\\b "c"']],
  ['-i my\\ clip.mp4', ['-i', 'my clip.mp4']],
  ['-metadata title="" -i x', ['-metadata', 'title=', '-i', 'x']],
  ['"a\\"b\\\\c"', ['a"b\\c']],
  ["''", ['']],
  ['', []],
];

describe('splitArgs', () => {
  for (const [text, argv] of cases) {
    it(JSON.stringify(text), () => expect(splitArgs(text)).toEqual(argv));
  }
  it('refuses unterminated quotes', () => {
    expect(() => splitArgs('-i "x')).toThrow(/unterminated double quote/);
    expect(() => splitArgs("-i 'x")).toThrow(/unterminated single quote/);
  });
});
