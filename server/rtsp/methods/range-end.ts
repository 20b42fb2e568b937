// Whether a client is told where a file ends (SDP a=range, PLAY's Range).

/**
 * GStreamer's rtspsrc turns a range end into rtpjitterbuffer's npt-stop, whose estimated-EOS timer
 * kept the video branch from ever pushing EOS after the last frame when the sinks sync to the
 * clock (playbin, uridecodebin: seen with 1.22). Without an end, the file's RTCP BYE ends each
 * stream; the cost is no duration (seek bar) in GStreamer players.
 */
export function endStopsEos(userAgent: string | undefined): boolean {
  return userAgent !== undefined && /^GStreamer\b/i.test(userAgent);
}
