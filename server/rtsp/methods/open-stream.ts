// Resolves a request path to a media file, turning path errors into RTSP statuses.
import { PathNotFoundError, UnsupportedMediaError } from '../../core/path-manager.js';
import type { Resolved } from '../../core/path-manager.js';
import type { MediaFile } from '../../sources/file/demux.js';
import type { ServerContext } from '../context.js';
import { RtspError } from '../errors.js';

export async function openStream(server: ServerContext, path: string): Promise<MediaFile> {
  return guard(() => server.paths.open(path));
}

/** A file or a live stream for a reader, errors mapped to RTSP statuses. */
export async function resolveStream(server: ServerContext, path: string): Promise<Resolved> {
  return guard(() => server.paths.resolve(path));
}

async function guard<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof PathNotFoundError) throw new RtspError(404, e.message);
    if (e instanceof UnsupportedMediaError) throw new RtspError(415, e.message);
    throw e;
  }
}
