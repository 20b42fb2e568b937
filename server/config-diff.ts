// What a config reload changes: paths added, removed and changed; users and auth; settings applied live; settings that need a restart.
import { isDeepStrictEqual } from 'node:util';
import type { Config } from './config.js';

/** Keys the Auth object takes on a reload (users, methods, the external service, token lifetime). */
export const AUTH_KEYS = ['authUsers', 'authMethods', 'authHTTPAddress', 'authTokenLifetime'] as const;

/**
 * Keys every layer reads from the shared Config object when it needs them (per request, connection
 * or session), so a reload may set them in place: they apply to what comes next, and running
 * sessions keep what they got (a session's mtu, for one). logLevel is set on the logger.
 * Every other key (ports, host, mediaDir, certificates, multicast, caches, HLS, limits...) is read
 * once at start: a change is logged as needing a restart and the running value stays.
 */
export const LIVE_KEYS = [
  'logLevel',
  'sessionTimeout',
  'rtcpInterval',
  'mtu',
  'maxSessions',
  'maxSessionsPerConnection',
  'maxSessionsPerAddress',
  'maxAnnouncedPaths',
  'maxConnections',
  'maxConnectionsPerAddress',
  'setupTimeout',
  'idleTimeout',
  'tcpQueueBytes',
  'slowReaderTimeout',
  'overridePublisher',
  // Recording: the recorders restart with the new settings (record/recorders.ts); the stream goes on.
  'record',
  'recordPath',
  'recordFormat',
  'recordPartDuration',
  'recordSegmentDuration',
  'recordDeleteAfter',
  // Read as each RTSP replay window loads (rtsp/recorded/window.ts).
  'recordPlaybackMaxBytes',
  // Read at each announcement (docs/sdp-sap.md).
  'sapInterval',
  // The drain target: read when SIGUSR2 (or POST /api/v1/drain without a body) starts a drain.
  'drain',
  // Read per receiver report (rtsp/reader-qos.ts): running readers follow the new thresholds.
  'qos',
] as const satisfies readonly (keyof Config)[];

export interface ConfigDiff {
  /** Path names (and ~regex patterns), sorted. */
  added: string[];
  removed: string[];
  /** Configured in both, differently: the old one stops, the new one starts. */
  changed: string[];
  /** Auth keys that changed. */
  auth: string[];
  /** Live keys that changed (set in place). */
  live: string[];
  /** Keys that changed but keep their running value until a restart. */
  restart: string[];
  /** Paths whose recording keys alone changed: their stream goes on, their recorder restarts. Absent when none. */
  recording?: string[];
  /** Paths whose qos keys alone changed: applied to their readers in place. Absent when none. */
  qos?: string[];
}

/** Path keys a reload applies without restarting the path (the recorders follow the config). */
const RECORD_PATH_KEYS = ['record', 'recordPath', 'recordFormat', 'recordPartDuration', 'recordSegmentDuration', 'recordDeleteAfter'];

/** Path keys every reader reads when it needs them (per receiver report): a change restarts nothing. */
const QOS_PATH_KEYS = ['qos'];

function without(p: unknown, keys: string[]): unknown {
  if (typeof p !== 'object' || p === null) return p;
  return Object.fromEntries(Object.entries(p).filter(([k]) => !keys.includes(k)));
}
const withoutInPlaceKeys = (p: unknown): unknown => without(p, [...RECORD_PATH_KEYS, ...QOS_PATH_KEYS]);

const isAuthKey = (k: string): boolean => (AUTH_KEYS as readonly string[]).includes(k);
const isLiveKey = (k: string): boolean => (LIVE_KEYS as readonly string[]).includes(k);

export function diffConfig(old: Config, next: Config): ConfigDiff {
  const d: ConfigDiff = { added: [], removed: [], changed: [], auth: [], live: [], restart: [] };
  const oldPaths = old.paths as Record<string, unknown>;
  const newPaths = next.paths as Record<string, unknown>;
  for (const name of Object.keys(newPaths)) {
    if (!Object.hasOwn(oldPaths, name)) d.added.push(name);
    else if (!isDeepStrictEqual(withoutInPlaceKeys(oldPaths[name]), withoutInPlaceKeys(newPaths[name]))) d.changed.push(name);
    else {
      const a = oldPaths[name];
      const b = newPaths[name];
      if (!isDeepStrictEqual(without(a, QOS_PATH_KEYS), without(b, QOS_PATH_KEYS))) (d.recording ??= []).push(name);
      if (!isDeepStrictEqual(without(a, RECORD_PATH_KEYS), without(b, RECORD_PATH_KEYS))) (d.qos ??= []).push(name);
    }
  }
  for (const name of Object.keys(oldPaths)) if (!Object.hasOwn(newPaths, name)) d.removed.push(name);
  const keys = new Set([...Object.keys(old), ...Object.keys(next)]);
  keys.delete('paths');
  for (const k of [...keys].sort()) {
    const a = (old as Record<string, unknown>)[k];
    const b = (next as Record<string, unknown>)[k];
    if (isDeepStrictEqual(a, b)) continue;
    if (isAuthKey(k)) d.auth.push(k);
    else if (isLiveKey(k)) d.live.push(k);
    else d.restart.push(k);
  }
  for (const list of [d.added, d.removed, d.changed]) list.sort();
  return d;
}

export function isEmptyDiff(d: ConfigDiff): boolean {
  return Object.values(d).every((list: string[] | undefined) => (list?.length ?? 0) === 0);
}

/** "+1 path (cams/x), -1 path (old), ~1 path (cams/y), users changed, sessionTimeout changed; rtspPort needs a restart". */
export function describeDiff(d: ConfigDiff): string {
  const paths = (sign: string, names: string[]): string[] =>
    names.length === 0 ? [] : [`${sign}${names.length} path${names.length === 1 ? '' : 's'} (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''})`];
  const parts = [
    ...paths('+', d.added),
    ...paths('-', d.removed),
    ...paths('~', d.changed),
    ...d.auth.map((k) => (k === 'authUsers' ? 'users changed' : `${k} changed`)),
    ...d.live.map((k) => `${k} changed`),
    ...(d.recording ?? []).map((n) => `recording of ${n} changed`),
    ...(d.qos ?? []).map((n) => `qos of ${n} changed`),
  ];
  const text = parts.length > 0 ? parts.join(', ') : 'nothing changed';
  return d.restart.length > 0 ? `${text}; ${d.restart.join(', ')} ${d.restart.length === 1 ? 'needs' : 'need'} a restart (the running value stays)` : text;
}
