// Applies a validated config to the running server: paths stop and start by difference, auth takes the new users, live settings change in place.
import type { Auth } from '../auth/auth.js';
import type { Config, PathConfig } from '../config.js';
import { AUTH_KEYS, diffConfig, type ConfigDiff } from '../config-diff.js';
import { isPathRegex } from '../config-pattern.js';
import type { PathManager } from '../core/path-manager.js';
import type { Logger } from '../log.js';

/** The running server as a reload sees it; app.ts wires it (configure-paths.ts knows the concrete sources). */
export interface ReloadTarget {
  /** The Config object every layer holds: live keys, paths and auth keys are set in it. */
  config: Config;
  paths: PathManager;
  auth: Auth;
  log: Logger;
  /** A config's paths plus the built-in ones (testsrc). */
  effectivePaths(paths: Config['paths']): Record<string, PathConfig>;
  /** Registers one path or pattern, its source ready to start. */
  configurePath(name: string, p: PathConfig): void;
  /** Told once `next` is in force (hooks: runOnInit of added and removed paths). */
  applied?(next: Config): void;
}

/**
 * Makes the running server what `next` says, except for settings that need a restart. Paths that
 * did not change are not touched (their readers do not notice); removed and changed ones stop
 * first (BYE to their readers), added ones are served at once.
 */
export async function applyConfig(t: ReloadTarget, next: Config): Promise<ConfigDiff> {
  const old = t.config;
  const d = diffConfig({ ...old, paths: t.effectivePaths(old.paths) }, { ...next, paths: t.effectivePaths(next.paths) });
  await applyPaths(t, next, d);
  if (d.auth.length > 0) t.auth.reload(next);
  const running = t.config as Record<string, unknown>;
  for (const k of [...d.live, ...AUTH_KEYS, 'paths']) {
    const v = (next as Record<string, unknown>)[k];
    if (v === undefined) delete running[k];
    else running[k] = v;
  }
  if (d.live.includes('logLevel')) t.log.level = next.logLevel;
  t.applied?.(next);
  return d;
}

async function applyPaths(t: ReloadTarget, next: Config, d: ConfigDiff): Promise<void> {
  const paths = t.effectivePaths(next.paths);
  const configure = (name: string): void => {
    try {
      t.configurePath(name, paths[name]!);
    } catch (e) {
      t.log.error({ path: name, err: (e as Error).message }, `cannot configure ${name}: ${(e as Error).message}`);
    }
  };
  for (const name of d.added) configure(name);
  await Promise.all([
    ...d.removed.map((name) => t.paths.unconfigure(name, `${name} was removed from the config`)),
    ...d.changed.map(async (name) => {
      await t.paths.unconfigure(name, `${name} changed in the config: it restarts`);
      configure(name);
    }),
  ]);
  t.paths.orderPatterns(Object.keys(paths).filter(isPathRegex));
  if (d.added.length + d.changed.length > 0) await t.paths.startAlwaysOn();
}
