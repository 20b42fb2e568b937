// What the config API (server/http/api/config-routes.ts) may ask of the running config: read it, and add, change or remove one path.
import type { Config, PathConfig } from './config.js';

/** POST adds (409 when the name exists), PATCH merges fields into it (null removes a field), DELETE removes it. */
export type PathEdit = { op: 'add' | 'patch'; name: string; fields: unknown } | { op: 'remove'; name: string };

export type PathEditResult =
  /** The path as the config now has it (absent after a removal); `file` when the change was written back there. */
  | { ok: true; path?: PathConfig; file?: string }
  /** 400: the result would be an invalid config (`reasons` one per problem); 404/409: no such path / it exists already. */
  | { ok: false; status: 400 | 404 | 409 | 500; reasons: string[] };

export interface ConfigEditor {
  /** The running config (defaults, file and flags; settings that need a restart keep their running value). Unmasked. */
  current(): Config;
  /** Applied through the same code as a file reload; written back to the config file when there is one. */
  editPath(edit: PathEdit): Promise<PathEditResult>;
}

/** The reasons in a ConfigError's message ("f.yml: invalid configuration:\n  a: b\n  c: d" -> ["a: b", "c: d"]). */
export function configErrorReasons(message: string): string[] {
  const lines = message.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.length > 1 ? lines.slice(1) : lines;
}
