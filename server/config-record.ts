// The recording part of the config (issue 15): top-level defaults and the same keys per path, which override them.
import { z } from 'zod';
import { parseDuration } from './util/duration.js';

/** A duration as "1s", "10s", "1h", "24h" (or seconds as a number), held as seconds. */
function duration(min: number, what: string) {
  return z.union([z.number(), z.string()]).transform((v, ctx) => {
    const s = parseDuration(v);
    if (typeof s === 'string') {
      ctx.addIssue({ code: 'custom', message: s });
      return z.NEVER;
    }
    if (s < min) {
      ctx.addIssue({ code: 'custom', message: `${what} must be at least ${min} s` });
      return z.NEVER;
    }
    return s;
  });
}

const template = z
  .string()
  .trim()
  .min(1)
  .refine((t) => t.includes('%path'), 'must contain %path (each path records under its own name), e.g. ./recordings/%path/%Y-%m-%d_%H-%M-%S-%f')
  .refine((t) => /%f|%S/.test(t), 'must contain %S or %f so that two segments never get the same name');

const format = z.enum(['fmp4', 'mpegts']);

/** The keys a path may set to override the top-level recording defaults. */
export const RECORD_PATH_FIELDS = {
  /** Record to disk: at the top level every path, on a path that path (overrides the top level; default false). */
  record: z.boolean().optional(),
  /** Where segments go: strftime-style %Y %m %d %H %M %S %f (microseconds) and %path; the extension (.mp4) is added. */
  recordPath: template.optional(),
  /** Segment container: fmp4 (fragmented MP4, one fragment per part, playable by time) or mpegts (.ts, listed by the time in its name). */
  recordFormat: format.optional(),
  /** How often recorded data reaches the disk (default "1s"): the most a crash or kill -9 may lose. */
  recordPartDuration: duration(0.1, 'recordPartDuration').optional(),
  /** A new segment file after this much media (default "1h"), at the next key frame. */
  recordSegmentDuration: duration(1, 'recordSegmentDuration').optional(),
  /** Segments older than this are deleted (default "24h"); 0 keeps everything. */
  recordDeleteAfter: duration(0, 'recordDeleteAfter').optional(),
};

/** Spread into the top-level ConfigSchema: the defaults of every path. */
export const RECORD_CONFIG_FIELDS = {
  /** Record to disk: at the top level every path, on a path that path (overrides the top level; default false). */
  record: z.boolean().default(false),
  /** Where segments go: strftime-style %Y %m %d %H %M %S %f (microseconds) and %path; the extension (.mp4) is added. */
  recordPath: template.default('./recordings/%path/%Y-%m-%d_%H-%M-%S-%f'),
  /** Segment container: fmp4 (fragmented MP4, one fragment per part, playable by time) or mpegts (.ts, listed by the time in its name). */
  recordFormat: format.default('fmp4'),
  /** How often recorded data reaches the disk (default "1s"): the most a crash or kill -9 may lose. */
  recordPartDuration: duration(0.1, 'recordPartDuration').default(1),
  /** A new segment file after this much media (default "1h"), at the next key frame. */
  recordSegmentDuration: duration(1, 'recordSegmentDuration').default(3600),
  /** Segments older than this are deleted (default "24h"); 0 keeps everything. */
  recordDeleteAfter: duration(0, 'recordDeleteAfter').default(86400),
};

/** One path's recording settings, after the path's own keys are put over the defaults. */
export interface RecordSettings {
  record: boolean;
  recordPath: string;
  recordFormat: 'fmp4' | 'mpegts';
  /** Seconds. */
  recordPartDuration: number;
  recordSegmentDuration: number;
  recordDeleteAfter: number;
}

type Own = { [K in keyof RecordSettings]?: RecordSettings[K] | undefined };

/** The path's keys over the top-level ones. */
export function recordSettings(top: RecordSettings, own: Own | undefined): RecordSettings {
  const out = { ...top };
  for (const k of Object.keys(out) as (keyof RecordSettings)[]) {
    const v = own?.[k];
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}
