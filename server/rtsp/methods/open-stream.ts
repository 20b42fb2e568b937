// Resolves a request path to a media file, turning path errors into RTSP statuses.
import { PathNotFoundError, UnsupportedMediaError } from '../../core/path-manager.js';
import type { MediaFile } from '../../sources/file/demux.js';
import type { ServerContext } from '../context.js';
import { RtspError } from '../errors.js';

export async function openStream(server: ServerContext, path: string): Promise<MediaFile> {
  try {
    return await server.paths.open(path);
  } catch (e) {
    if (e instanceof PathNotFoundError) throw new RtspError(404, e.message);
    if (e instanceof UnsupportedMediaError) throw new RtspError(415, e.message);
    throw e;
  }
}
