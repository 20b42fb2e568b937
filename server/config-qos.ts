// The QoS part of the config (issue 16): `qos: {thinning, renditions, lossCongested, lossFailing}` at the top level and per path,
// whose keys override the top level. Read per receiver report from the running config, so a reload applies at once.
import { z } from 'zod';
import { compilePathRegex, isPathRegex, matchPathRegex } from './config-pattern.js';

const loss = z.number().min(0).max(1);

const lossOrder = (q: { lossCongested?: number | undefined; lossFailing?: number | undefined }): boolean =>
  q.lossCongested === undefined || q.lossFailing === undefined || q.lossFailing > q.lossCongested;
const ORDER_MESSAGE = { message: 'lossFailing must be above lossCongested (e.g. lossCongested: 0.02, lossFailing: 0.10)', path: ['lossFailing'] };

/** A path's own qos keys: each one it sets overrides the top-level one. */
export const QOS_PATH_FIELDS = {
  /** Per-path override of the top-level qos keys (thinning, renditions, lossCongested, lossFailing): docs/qos.md. */
  qos: z
    .object({
      /** Thin this path's RTSP readers over UDP whose receiver reports show loss. */
      thinning: z.boolean().optional(),
      /** Switch this path's RTSP readers over UDP whose link stays failing to its next lower rendition, and back up. */
      renditions: z.boolean().optional(),
      /** Fraction lost (0..1) in a receiver report at or above which a reader's link is congested. */
      lossCongested: loss.optional(),
      /** Fraction lost at or above which a reader's link is failing. */
      lossFailing: loss.optional(),
    })
    .strict()
    .refine(lossOrder, ORDER_MESSAGE)
    .optional(),
};

export const QOS_DEFAULTS = { thinning: true, renditions: true, lossCongested: 0.02, lossFailing: 0.1 };

/** Spread into the top-level ConfigSchema. */
export const QOS_CONFIG_FIELDS = {
  /**
   * Reader QoS from RTCP receiver reports (docs/qos.md): a reader whose reports show loss at or above
   * lossCongested is congested (it stops getting non-reference video frames when thinning is on), at or
   * above lossFailing failing (key frames only); it steps back up after clean reports. A reader of a path with
   * renditions whose link stays failing is switched to the next lower rendition (renditions: true).
   */
  qos: z
    .object({
      /** Thin RTSP readers over UDP whose receiver reports show loss (audio is never thinned). */
      thinning: z.boolean().default(QOS_DEFAULTS.thinning),
      /** Switch RTSP readers over UDP whose link stays failing to the path's next lower rendition, and back up when it recovers (docs/qos.md). */
      renditions: z.boolean().default(QOS_DEFAULTS.renditions),
      /** Fraction lost (0..1) in a receiver report at or above which a reader's link is congested. */
      lossCongested: loss.default(QOS_DEFAULTS.lossCongested),
      /** Fraction lost at or above which a reader's link is failing. */
      lossFailing: loss.default(QOS_DEFAULTS.lossFailing),
    })
    .strict()
    .refine(lossOrder, ORDER_MESSAGE)
    .default(QOS_DEFAULTS),
};

export interface QosSettings {
  thinning: boolean;
  renditions: boolean;
  lossCongested: number;
  lossFailing: number;
}

interface QosConfigView {
  qos: QosSettings;
  paths: Record<string, { qos?: Partial<QosSettings> | undefined }>;
}

const regexCache = new WeakMap<object, [RegExp, string][]>();

/** The qos keys of a named path, else of the first ~regex path that matches, over the top-level ones. */
export function qosSettingsOf(config: QosConfigView, path: string): QosSettings {
  let own = Object.hasOwn(config.paths, path) ? config.paths[path]!.qos : undefined;
  if (!Object.hasOwn(config.paths, path)) {
    let regexes = regexCache.get(config.paths);
    if (!regexes) {
      regexes = Object.keys(config.paths).filter(isPathRegex).map((n) => [compilePathRegex(n), n]);
      regexCache.set(config.paths, regexes);
    }
    const hit = regexes.find(([re]) => matchPathRegex(re, path));
    own = hit ? config.paths[hit[1]]!.qos : undefined;
  }
  const top = config.qos;
  const out = { ...top, ...Object.fromEntries(Object.entries(own ?? {}).filter(([, v]) => v !== undefined)) };
  // A path that moves only one threshold past the other keeps them ordered: failing never below congested.
  if (out.lossFailing <= out.lossCongested) out.lossFailing = Math.min(1, out.lossCongested + 0.01);
  return out;
}
