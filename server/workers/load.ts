// The load figures of one process, from its client registry: readers (relay pulls apart) and the paths it pulls.
import type { ClientRegistry } from '../core/clients.js';

export interface LoadFigures {
  /** Readers served here: RTSP sessions, progressive responses, HLS viewers (addresses seen by each muxer). */
  readers: number;
  /** Paths a relay source pulls into this process (an edge's pulls from the origin). */
  pulls: string[];
}

export function loadOf(clients: ClientRegistry): LoadFigures {
  let readers = 0;
  const pulls: string[] = [];
  for (const c of clients.list()) {
    if (c.protocol === 'relay') pulls.push(c.path);
    else if (c.role === 'reader') readers += c.protocol === 'hls' ? Math.max(1, c.clientsSeen?.length ?? 1) : 1;
  }
  return { readers, pulls };
}
