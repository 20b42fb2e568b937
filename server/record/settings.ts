// A path's recording settings from the config: its own keys (a named path, else the first ~regex that matches)
// over the top-level defaults; a path no entry names (published anywhere) takes the defaults.
import { pathNameProblem, type Config } from '../config.js';
import { compilePathRegex, isPathRegex, matchPathRegex } from '../config-pattern.js';
import { recordSettings, type RecordSettings } from '../config-record.js';
import type { RecordingsConfig } from './recorders.js';

export function recordingsConfig(config: Config): RecordingsConfig {
  const top: RecordSettings = {
    record: config.record,
    recordPath: config.recordPath,
    recordFormat: config.recordFormat,
    recordPartDuration: config.recordPartDuration,
    recordSegmentDuration: config.recordSegmentDuration,
    recordDeleteAfter: config.recordDeleteAfter,
  };
  const regexes = Object.entries(config.paths).filter(([n]) => isPathRegex(n)).map(([n, p]) => [compilePathRegex(n), p] as const);
  return {
    settingsOf(path) {
      if (Object.hasOwn(config.paths, path)) return recordSettings(top, config.paths[path]);
      if (pathNameProblem(path) !== undefined) return undefined;
      const hit = regexes.find(([re]) => matchPathRegex(re, path));
      return recordSettings(top, hit?.[1]);
    },
    templates() {
      const all = [top, ...Object.values(config.paths).map((p) => recordSettings(top, p))];
      const byTemplate = new Map<string, number>();
      for (const s of all.filter((x) => x.record || x === top)) byTemplate.set(s.recordPath, Math.max(byTemplate.get(s.recordPath) ?? 0, s.recordDeleteAfter));
      return [...byTemplate].map(([template, deleteAfter]) => ({ template, deleteAfter }));
    },
  };
}
