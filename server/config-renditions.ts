// Renditions (issue 16): a path's lower-bitrate copies, made on demand by ffmpeg from the path's own stream, each readable as `<path>~<name>`.
import { z } from 'zod';

/** "1M", "300k", "2.5M" or a number of bits per second, held as bits per second. */
const bitrate = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const bps = parseBitrate(v);
  if (typeof bps === 'string') {
    ctx.addIssue({ code: 'custom', message: bps });
    return z.NEVER;
  }
  return bps;
});

const RenditionSchema = z
  .object({
    /** Suffix of the rendition's path: `cams/door` with name `480p` is read at `cams/door~480p`. */
    name: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1 to 32 letters, digits, "_" or "-", e.g. "480p"'),
    /** Picture height in pixels (even); the width keeps the main stream's aspect ratio. */
    height: z.number().int().min(32).max(4320).refine((h) => h % 2 === 0, 'must be even (4:2:0 video)'),
    /** Video bitrate: "1M", "300k" or bits per second. Audio is copied as it is. */
    videoBitrate: bitrate.refine((b) => b >= 16_000 && b <= 100_000_000, 'must be between 16k and 100M'),
  })
  .strict();

export type Rendition = z.infer<typeof RenditionSchema>;

/** Spread into PathConfigSchema. */
export const RENDITION_PATH_FIELDS = {
  /** Lower-bitrate copies of this path, each made by ffmpeg while someone reads `<path>~<name>` (docs/renditions.md). */
  renditions: z
    .array(RenditionSchema)
    .max(8)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      for (const [i, r] of list.entries()) {
        if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `rendition ${r.name} is named twice` });
        seen.add(r.name);
      }
    })
    .optional(),
};

/** Bits per second of "1M", "300k", "1500000" (or a number), or why it is not a bitrate. */
export function parseBitrate(v: string | number): number | string {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? Math.round(v) : 'must be a positive number of bits per second';
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(v);
  if (!m) return `"${v}" is not a bitrate: write e.g. "1M", "300k" or a number of bits per second`;
  const unit = m[2]!.toLowerCase() === 'm' ? 1e6 : m[2] ? 1e3 : 1;
  return Math.round(Number(m[1]) * unit);
}

/** The separator between a path and a rendition's name. */
export const RENDITION_SEPARATOR = '~';

export function renditionPathName(path: string, name: string): string {
  return `${path}${RENDITION_SEPARATOR}${name}`;
}

/** Why a config's renditions cannot be used (on a ~regex path, or clashing with a configured name), per path. */
export function renditionProblems(paths: Record<string, { renditions?: Rendition[] | undefined }>): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  for (const [name, p] of Object.entries(paths)) {
    if (!p.renditions?.length) continue;
    if (name.startsWith('~')) {
      out.push({ path: name, message: 'a ~regex path cannot have renditions: give them to a named path' });
      continue;
    }
    for (const r of p.renditions) {
      const full = renditionPathName(name, r.name);
      if (Object.hasOwn(paths, full)) out.push({ path: name, message: `rendition ${r.name} would be /${full}, which is configured as a path of its own` });
    }
  }
  return out;
}

/**
 * ffmpeg's input + encoding arguments for one rendition, reading `inputUrl` (the main path on our
 * own RTSP port). Key frames stay where the main stream has them (`-force_key_frames source`), so
 * HLS segments of every variant start at the same frames and a player can switch at any segment.
 * Profile High, level 3.1 fixed: the multivariant playlist names the CODECS before any rendition runs.
 */
export function renditionArgs(inputUrl: string, r: Rendition): string[] {
  const kbps = Math.round(r.videoBitrate / 1000);
  return [
    '-loglevel', 'error',
    '-rtsp_transport', 'tcp', '-i', inputUrl,
    '-map', '0:v:0', '-map', '0:a?',
    '-vf', `scale=-2:${r.height}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p',
    '-profile:v', 'high', '-level:v', RENDITION_LEVEL,
    '-force_key_frames', 'source', '-sc_threshold', '0',
    '-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${kbps}k`,
    '-c:a', 'copy',
    // One audio frame per RTP packet (see testsrc.ts): no half-second floor under the readers' delay.
    '-max_delay', '0',
  ];
}

/** x264 level of every rendition (3.1: up to 1280x720 at 30 fps). */
export const RENDITION_LEVEL = '3.1';
/** RFC 6381 codec string of a rendition's video: High profile (0x64), no constraint flags, level 3.1 (0x1f). */
export const RENDITION_CODEC = 'avc1.64001f';
