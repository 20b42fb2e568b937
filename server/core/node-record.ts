// A node's record (in Redis as JSON under tidecast:node:<id>, or an edge process's IPC message): a bad record is skipped, never thrown.
import type { ClusterNode } from './cluster-view.js';

/** Every node record lives under this prefix; the id follows. */
export const NODE_KEY_PREFIX = 'tidecast:node:';

/** Paths listed in one record at most (a record stays a few kB). */
export const MAX_PULLS = 1000;

export const nodeKey = (id: string): string => NODE_KEY_PREFIX + id;

export function encodeNode(n: ClusterNode): string {
  return JSON.stringify({ ...n, pulls: n.pulls.slice(0, MAX_PULLS) });
}

const ROLES = new Set(['origin', 'edge', 'front']);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The node in `text`, or undefined when it is not a node record (another program's key, a truncated write). */
export function decodeNode(text: string | null | undefined): ClusterNode | undefined {
  if (!text || text.length > 1 << 20) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  return nodeOf(v);
}

/** The node in a parsed record (Redis JSON, an edge process's IPC message), or undefined when it is not one. */
export function nodeOf(v: unknown): ClusterNode | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.id !== 'string' || !o.id || typeof o.role !== 'string' || !ROLES.has(o.role)) return undefined;
  const pulls = Array.isArray(o.pulls) ? o.pulls.filter((p): p is string => typeof p === 'string').slice(0, MAX_PULLS) : [];
  return {
    id: o.id,
    role: o.role as ClusterNode['role'],
    rtsp: str(o.rtsp),
    http: str(o.http),
    readers: num(o.readers),
    accepted: num(o.accepted),
    capacity: num(o.capacity) || 1,
    egressBps: num(o.egressBps),
    cpu: num(o.cpu),
    pulls,
    at: num(o.at),
  };
}
