// The hooks part of a path's config: commands the server runs on the path's events (runOnInit, runOnReady, runOnRead, runOnDemand...), as MediaMTX's runOn* keys.
import { z } from 'zod';

const command = z.string().trim().min(1, 'must be a shell command (run with sh -c), e.g. "curl -s http://example/notify?path=$TIDECAST_PATH"').optional();

/** Spread into PathConfigSchema (config.ts); docs/hooks.md describes each key and its environment. */
export const HOOK_PATH_FIELDS = {
  /** Command run when the path is configured (server start, or a reload that adds it); killed when the path is removed or the server stops. */
  runOnInit: command,
  /** Start runOnInit again (with backoff) when it exits while the path is configured (default false). */
  runOnInitRestart: z.boolean().optional(),
  /** Command that publishes to the path (e.g. ffmpeg ... rtsp://127.0.0.1:$RTSP_PORT/$TIDECAST_PATH): started with the first reader, stopped sourceOnDemandCloseAfter seconds after the last leaves. */
  runOnDemand: command,
  /** Start runOnDemand again (with backoff) when it exits while readers still want the path (default false). */
  runOnDemandRestart: z.boolean().optional(),
  /** Command run when the path gets a source (a publisher's RECORD, a relay or ffmpeg source coming up); killed when it loses it. */
  runOnReady: command,
  /** Start runOnReady again (with backoff) when it exits while the path is ready (default false). */
  runOnReadyRestart: z.boolean().optional(),
  /** Command run once when the path loses its source. */
  runOnNotReady: command,
  /** Command run when a reader starts reading the path; killed when that reader leaves. */
  runOnRead: command,
  /** Start runOnRead again (with backoff) when it exits while its reader is still there (default false). */
  runOnReadRestart: z.boolean().optional(),
  /** Command run once when a reader stops reading the path. */
  runOnUnread: command,
  /** Command run once when the recorder closes a segment of this path (with TIDECAST_SEGMENT_PATH, _START, _DURATION); needs recording. */
  runOnRecordSegmentComplete: command,
};

export type HookName =
  | 'runOnInit'
  | 'runOnDemand'
  | 'runOnReady'
  | 'runOnNotReady'
  | 'runOnRead'
  | 'runOnUnread'
  | 'runOnRecordSegmentComplete';

/** The hook keys of one path, parsed. */
export type HookPathConfig = z.infer<ReturnType<typeof hookFieldsSchema>>;
const hookFieldsSchema = () => z.object(HOOK_PATH_FIELDS);

/** runOnDemand is the path's source: it cannot sit beside another source or a redirect. */
export function checkHookFields(p: { runOnDemand?: string | undefined; source?: string | undefined; ffmpeg?: string | undefined; redirect?: string | undefined }, ctx: z.RefinementCtx): void {
  if (p.runOnDemand === undefined) return;
  const other = p.source !== undefined && p.source !== 'publisher' ? 'source (relay URL)' : p.ffmpeg !== undefined ? 'ffmpeg' : p.redirect !== undefined ? 'redirect' : undefined;
  if (other) ctx.addIssue({ code: 'custom', path: ['runOnDemand'], message: `set only one of runOnDemand, ${other}: a path has one source or one redirect` });
}
