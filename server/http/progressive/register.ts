// A progressive HTTP response in the client registry (core/clients.ts): one record per response, from
// its first byte to its close; kick ends the response.
import type { Request, Response } from 'express';
import { BitrateMeter, type ClientRegistry } from '../../core/clients.js';
import type { ProgressiveFormat } from './formats.js';

/** Bytes of media written to one response (a number bumped where the bytes are written, nothing more). */
export interface ByteCount {
  bytes: number;
}

/** Registers the response; it leaves the registry when it closes, whoever closed it. */
export function registerProgressive(
  clients: ClientRegistry,
  req: Request,
  res: Response,
  path: string,
  format: ProgressiveFormat,
  count: ByteCount,
  kick: (reason: string) => void,
): void {
  const id = clients.newId('http');
  const meter = new BitrateMeter();
  const since = new Date().toISOString();
  const address = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const port = req.socket.remotePort;
  const user = typeof res.locals.user === 'string' && res.locals.user !== '' ? res.locals.user : undefined;
  const remove = clients.add(id, {
    snapshot: () => ({
      id,
      role: 'reader',
      protocol: format === 'mp4' ? 'progressive-mp4' : 'progressive-ts',
      path,
      ...(user ? { user } : {}),
      address,
      ...(port !== undefined ? { port } : {}),
      since,
      bytes: count.bytes,
      bitrate: meter.rate(count.bytes),
      state: res.writableEnded || res.destroyed ? 'ended' : 'playing',
    }),
    kick,
  });
  res.once('close', remove);
  // The client may have left while the path was being resolved: 'close' has then been and gone.
  if (res.destroyed || res.writableFinished || req.socket.destroyed) remove();
}
