// Permissions: an action and a path pattern (a glob, or `~` and a regular expression), compiled once and matched per request.
import type { AuthAction } from '../config-auth.js';

export interface Permission {
  action: AuthAction;
  /** The pattern as written ('' when absent: every path), for messages. */
  pattern: string;
  matches(path: string): boolean;
}

/** api and metrics are not about a path: a permission for them allows the whole API or /metrics. */
const PATHLESS: ReadonlySet<AuthAction> = new Set(['api', 'metrics']);

/**
 * Compiles a path pattern. Paths are written without a leading "/" (`cams/door`).
 * - absent or "": every path;
 * - `~regex`: the regular expression as written, so it is anchored only where it says `^`/`$`
 *   (`~^live/` is every path under live/, `~cam` any path containing "cam");
 * - otherwise a glob matching the whole path: `*` is any run of characters within one segment
 *   (`cams/*` is cams/door but not cams/a/b), `**` any run across segments (`cams/**`), the rest literal.
 */
export function compilePathPattern(pattern: string | undefined): (path: string) => boolean {
  if (pattern === undefined || pattern === '') return () => true;
  if (pattern.startsWith('~')) {
    const re = new RegExp(pattern.slice(1));
    return (path) => re.test(path);
  }
  const source = pattern
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const re = new RegExp(`^${source}$`);
  return (path) => re.test(path);
}

export function compilePermissions(list: readonly { action: AuthAction; path?: string | undefined }[]): Permission[] {
  return list.map((p) => ({ action: p.action, pattern: p.path ?? '', matches: compilePathPattern(p.path) }));
}

/** True when some permission allows `action` on `path` (api and metrics ignore the path). */
export function allows(perms: readonly Permission[], action: AuthAction, path: string): boolean {
  return perms.some((p) => p.action === action && (PATHLESS.has(action) || p.matches(path)));
}
