// Each RTCP receiver report a reader sends about us becomes two observations: its fraction lost (0..1) and its
// interarrival jitter in seconds (the track's clock converts it), labelled by the track's lower transport.
import type { Observations } from '../core/observations.js';
import type { RtspSession } from './session.js';

export const RR_FRACTION_LOST = 'reader_rtcp_fraction_lost';
export const RR_JITTER_SECONDS = 'reader_rtcp_jitter_seconds';

export function observeReceiverReports(session: RtspSession, observations: Observations): void {
  session.onReceiverReport = (trackId, r) => {
    const track = session.mediaTracks.find((t) => t.id === trackId);
    const transport = session.tracks.get(trackId)?.transport.kind ?? 'udp';
    const labels = { transport };
    // RFC 3550 §6.4.1: fraction lost is a fixed-point number with the binary point at its left edge.
    observations.observe(RR_FRACTION_LOST, labels, r.fractionLost / 256);
    if (track && track.clockRate > 0) observations.observe(RR_JITTER_SECONDS, labels, r.jitter / track.clockRate);
  };
}
