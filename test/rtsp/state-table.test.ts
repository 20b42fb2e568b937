// The method x state table: every cell, so a change to it is a deliberate one.
import { describe, expect, it } from 'vitest';
import { checkState, IMPLEMENTED_METHODS, type SessionState } from '../../server/rtsp/state-table.js';
import { RtspError } from '../../server/rtsp/errors.js';

const states: SessionState[] = ['none', 'init', 'ready', 'playing', 'recording'];
const expected: Record<string, string> = {
  // none init ready playing recording
  OPTIONS: 'yyyyy',
  DESCRIBE: 'yyyyy',
  SETUP: 'yyynn',
  PLAY: 'nnyyn',
  PAUSE: 'nnyyn',
  TEARDOWN: 'nyyyy',
  GET_PARAMETER: 'yyyyy',
  SET_PARAMETER: 'yyyyy',
  ANNOUNCE: 'ynnnn',
  RECORD: 'nnyny',
};

describe('checkState', () => {
  for (const m of IMPLEMENTED_METHODS) {
    states.forEach((s, i) => {
      const allowed = expected[m]![i] === 'y';
      it(`${m} in ${s}: ${allowed ? 'allowed' : '455'}`, () => {
        if (allowed) expect(() => checkState(m, s)).not.toThrow();
        else {
          try {
            checkState(m, s);
            expect.unreachable();
          } catch (e) {
            expect((e as RtspError).status).toBe(455);
            expect((e as RtspError).reason).toMatch(new RegExp(`^${m} is not valid in state`));
          }
        }
      });
    });
  }
});
