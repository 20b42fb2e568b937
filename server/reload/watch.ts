// Watches the config file's directory (editors save by writing a new file and renaming it over the old one) and calls back once per burst of changes.
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../log.js';

/** Events this close together are one change: an editor's save is several (write, rename, chmod). */
export const WATCH_DEBOUNCE_MS = 200;

/**
 * Every event in the directory counts, not only those naming the file: a Kubernetes ConfigMap
 * swaps a `..data` symlink and never touches the file's own name. The callback compares the
 * file's text with what it last applied, so unrelated events cost one small read.
 */
export function watchConfigFile(file: string, onChange: () => void, log: Logger, debounceMs = WATCH_DEBOUNCE_MS): { close(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let watcher: FSWatcher | undefined;
  const fire = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, debounceMs);
  };
  try {
    watcher = watch(dirname(file), { persistent: false }, fire);
    watcher.on('error', (e) => log.warn({ file, err: e.message }, `cannot watch ${file} any more (${e.message}): reload it with SIGHUP`));
  } catch (e) {
    log.warn({ file, err: (e as Error).message }, `cannot watch ${file} (${(e as Error).message}): reload it with SIGHUP`);
  }
  return {
    close(): void {
      if (timer) clearTimeout(timer);
      watcher?.close();
    },
  };
}
