// What one RTP payload tells about its access unit: the codecs' hints and the dispatch in keyframe.ts share this type.

/**
 * What one RTP payload says about its access unit: `key` (a random access point starts here),
 * `delta` (a slice that is not one), `unknown` (only SEI, AUD, PPS or a continuation fragment:
 * look at the next packet of the same unit). ffmpeg sends the x264 SEI alone before the IDR's
 * FU-A (seen publishing media/sample.mp4), so a unit's first packet is not always decisive.
 */
export type KeyFrameHint = 'key' | 'delta' | 'unknown';
