// A relay in the client registry (core/clients.ts): it publishes in-process, so it is a publisher
// of protocol 'relay' whose address is the upstream's; kick drops the upstream session (the relay
// connects again after its backoff).
import { BitrateMeter, type ClientRegistry } from '../../core/clients.js';
import { stripUserinfo } from './rtsp-url.js';

export interface RelayRecord {
  /** Bytes of RTP and RTCP received from the upstream. */
  count: { bytes: number };
  remove: () => void;
}

export function registerRelay(clients: ClientRegistry, id: string, path: string, upstream: string, count: { bytes: number }, kick: () => void): RelayRecord {
  const meter = new BitrateMeter();
  const since = new Date().toISOString();
  let host: string | undefined;
  let port: number | undefined;
  try {
    const u = new URL(stripUserinfo(upstream));
    host = u.hostname.replace(/^\[|\]$/g, '');
    port = u.port ? Number(u.port) : u.protocol === 'rtsps:' ? 322 : 554;
  } catch {
    /* an upstream URL we connected to always parses; a record without address is still a record */
  }
  const remove = clients.add(id, {
    snapshot: () => ({
      id,
      role: 'publisher',
      protocol: 'relay',
      path,
      ...(host !== undefined ? { address: host } : {}),
      ...(port !== undefined ? { port } : {}),
      since,
      bytes: count.bytes,
      bitrate: meter.rate(count.bytes),
      state: 'publishing',
    }),
    kick,
  });
  return { count, remove };
}
