// The stream's track descriptions inside a segment, as a top-level `uuid` box after the moov (ISO 14496-12 4.2: players
// skip unknown uuid boxes). Playback reads them back so a recording is described over RTSP exactly as the live path was
// (payload types, clock rates, parameter sets, LATM) for every codec the recorder takes, without re-deriving them from
// sample entries.
import type { Track } from '../media/track.js';

/** 16 bytes naming the box: "tidecast-tracks" + version 1. */
const UUID = new TextEncoder().encode('tidecast-tracks\x01');
/** A box bigger than this is not ours (a track list is a few kilobytes). */
const MAX_BODY = 1 << 20;

interface Encoded {
  b64: string;
}

function replacer(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? ({ b64: Buffer.from(value).toString('base64') } satisfies Encoded) : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && typeof (value as Encoded).b64 === 'string' && Object.keys(value).length === 1) {
    return new Uint8Array(Buffer.from((value as Encoded).b64, 'base64'));
  }
  return value;
}

/** The box for these tracks (their stream ids; MP4 track_ID is id + 1). */
export function writeTrackBox(tracks: Track[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({ tracks }, replacer));
  const b = new Uint8Array(8 + UUID.length + json.length);
  new DataView(b.buffer).setUint32(0, b.length);
  b.set([0x75, 0x75, 0x69, 0x64], 4); // 'uuid'
  b.set(UUID, 8);
  b.set(json, 8 + UUID.length);
  return b;
}

/** The tracks of a `uuid` box body (after the 8-byte header), or undefined when the box is another one or damaged. */
export function readTrackBox(body: Uint8Array): Track[] | undefined {
  if (body.length < UUID.length || body.length > MAX_BODY) return undefined;
  for (let i = 0; i < UUID.length; i++) if (body[i] !== UUID[i]) return undefined;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body.subarray(UUID.length)), reviver) as { tracks?: unknown };
    if (!Array.isArray(parsed.tracks)) return undefined;
    const ok = parsed.tracks.every((t: Partial<Track>) => typeof t?.id === 'number' && typeof t.codec === 'string' && typeof t.clockRate === 'number' && t.clockRate > 0);
    return ok ? (parsed.tracks as Track[]) : undefined;
  } catch {
    return undefined;
  }
}
