// The file descriptor under a bound dgram socket, for the sendmmsg addon to send from the same port.
import type { Socket } from 'node:dgram';

/**
 * Node keeps the UDP handle behind a private symbol; its `fd` getter is public on the handle.
 * An fd belongs to the whole process, so sending on it directly keeps the server's advertised
 * source port (clients may filter on it). Returns undefined if this Node hides it differently.
 */
export function socketFd(sock: Socket): number | undefined {
  const sym = Object.getOwnPropertySymbols(sock).find((s) => s.description === 'state symbol');
  if (!sym) return undefined;
  const state = (sock as unknown as Record<symbol, { handle?: { fd?: unknown } } | undefined>)[sym];
  const fd = state?.handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}
