// Which methods each session state accepts (RFC 2326 Appendix A); consulted before any handler runs.
import { RtspError } from './errors.js';

/** `none`: the request carries no Session header (or the method ignores it). */
export type SessionState = 'none' | 'init' | 'ready' | 'playing' | 'recording';

export const IMPLEMENTED_METHODS = [
  'OPTIONS',
  'DESCRIBE',
  'SETUP',
  'PLAY',
  'PAUSE',
  'TEARDOWN',
  'GET_PARAMETER',
  'SET_PARAMETER',
  'ANNOUNCE',
  'RECORD',
] as const;
export type Method = (typeof IMPLEMENTED_METHODS)[number];

const ALL: SessionState[] = ['none', 'init', 'ready', 'playing', 'recording'];

export const ALLOWED_STATES: Record<Method, SessionState[]> = {
  OPTIONS: ALL,
  DESCRIBE: ALL,
  // SETUP while playing would change transports under a running stream; clients never need it.
  SETUP: ['none', 'init', 'ready'],
  // ANNOUNCE starts a publishing session (its answer carries the Session id SETUP then uses).
  ANNOUNCE: ['none'],
  RECORD: ['ready', 'recording'],
  // PLAY while playing is a seek (RFC 2326 §10.5 lets a PLAY with Range reposition the stream).
  PLAY: ['ready', 'playing'],
  PAUSE: ['ready', 'playing'],
  TEARDOWN: ['init', 'ready', 'playing', 'recording'],
  GET_PARAMETER: ALL,
  SET_PARAMETER: ALL,
};

const HINTS: Partial<Record<Method, Partial<Record<SessionState, string>>>> = {
  PAUSE: { none: 'PAUSE needs the Session header from SETUP', init: 'nothing to pause before SETUP and PLAY' },
  TEARDOWN: { none: 'TEARDOWN needs the Session header from SETUP' },
  SETUP: { playing: 'tracks cannot be added while playing: PAUSE first, or open a new session', recording: 'tracks cannot be added while recording' },
  RECORD: { none: 'RECORD needs the Session header from ANNOUNCE/SETUP', init: 'set up the tracks with SETUP mode=record before RECORD' },
  ANNOUNCE: { init: 'this session was already announced', ready: 'this session was already announced', playing: 'ANNOUNCE opens a new session: send it without a Session header', recording: 'this session is already recording' },
  PLAY: { none: 'PLAY needs a session: send SETUP for a track first and repeat its Session header', init: 'set up a track with SETUP before PLAY', recording: 'this session publishes; readers open their own session' },
};

export function isImplemented(method: string): method is Method {
  return (IMPLEMENTED_METHODS as readonly string[]).includes(method);
}

/** Throws 455 with a hint when `method` is not valid in `state`. */
export function checkState(method: Method, state: SessionState): void {
  if (ALLOWED_STATES[method].includes(state)) return;
  const hint = HINTS[method]?.[state] ?? `allowed in states: ${ALLOWED_STATES[method].join(', ')}`;
  throw new RtspError(455, `${method} is not valid in state ${state === 'none' ? '(no session)' : state}: ${hint}`);
}
