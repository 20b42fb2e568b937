// recordDeleteAfter: segment files last written longer ago than their path's retention are deleted (and logged).
import { stat, unlink } from 'node:fs/promises';
import type { Logger } from '../log.js';
import { scanSegments } from './listing.js';

export async function deleteOldSegments(
  templates: { template: string; deleteAfter: number }[],
  open: Set<string>,
  log: Logger,
  deleteAfterOf: (path: string) => number | undefined,
  now = Date.now(),
): Promise<number> {
  const used = templates.filter((t) => t.deleteAfter > 0).map((t) => t.template);
  if (used.length === 0) return 0;
  let deleted = 0;
  for (const { path, file } of await scanSegments(used)) {
    const after = deleteAfterOf(path);
    if (!after || open.has(file)) continue;
    const st = await stat(file).catch(() => undefined);
    if (!st || now - st.mtimeMs <= after * 1000) continue;
    try {
      await unlink(file);
      deleted++;
      log.info({ path, file }, `/${path}: deleted recording ${file}: older than recordDeleteAfter (${after} s)`);
    } catch (e) {
      log.warn({ path, file }, `/${path}: cannot delete old recording ${file}: ${(e as Error).message}`);
    }
  }
  return deleted;
}
