// OPTIONS, TEARDOWN, GET_PARAMETER and SET_PARAMETER.
import { RtspError } from '../errors.js';
import { formatPublic } from '../headers/public.js';
import { IMPLEMENTED_METHODS } from '../state-table.js';
import type { Handler } from './request-context.js';

export const options: Handler = () => ({
  // ffmpeg and VLC send GET_PARAMETER keepalives only when Public lists it (INTEROP.md).
  headers: { Public: formatPublic([...IMPLEMENTED_METHODS]) },
});

export const teardown: Handler = (ctx) => {
  const s = ctx.session!;
  if (ctx.target.trackId !== undefined && s.tracks.size > 1) {
    // Tearing down one track of several is rare and clients recover badly from it; be explicit.
    throw new RtspError(460, `TEARDOWN of one track is not supported; tear down the whole session at rtsp://…/${s.path}`);
  }
  ctx.server.destroySession(s, 'teardown', true);
  return {};
};

// A keepalive (empty body) or a query of parameters; none are defined yet beyond keepalive.
export const getParameter: Handler = (ctx) => {
  const names = parameterNames(ctx.req.body);
  if (names.length === 0) return { session: ctx.session };
  throw new RtspError(451, `unknown parameter${names.length > 1 ? 's' : ''}: ${names.join(', ')}`);
};

export const setParameter: Handler = (ctx) => {
  const names = parameterNames(ctx.req.body);
  if (names.length === 0) return { session: ctx.session };
  throw new RtspError(451, `parameter${names.length > 1 ? 's' : ''} ${names.join(', ')} cannot be set`);
};

function parameterNames(body: Uint8Array): string[] {
  if (body.length === 0) return [];
  return new TextDecoder()
    .decode(body)
    .split(/\r?\n/)
    .map((l) => l.split(':')[0]!.trim())
    .filter((l) => l.length > 0);
}
