// Timed text over RTP as T.140 (RFC 4103, `m=text ... t140/1000`), one subtitle cue per packet.
//
// RFC 4103 carries a stream of typed characters; Tidecast uses it for subtitle cues, which have a
// start and an end. The mapping, decided here and used by the server, the relay and the player:
// - A cue is one packet whose RTP timestamp is the cue's start (1000 Hz clock) and whose payload is
//   the cue's text in UTF-8, with line breaks sent as U+2028 LINE SEPARATOR (T.140's new line).
//   The marker bit is set on it (RFC 4103 §3: the first packet after an idle period).
// - A cue ends where the next packet of the track starts: either the next cue, or a packet with an
//   empty payload (an "empty T140block", RFC 4103 §4) sent at the cue's end time, which clears it.
// - A cue's text is cut to fit one packet (at a character boundary): cues are short, and one packet
//   per cue keeps a lost packet from garbling the next cue.
// A leaf: runtime-neutral, imports nothing outside rtp/.

import { seqCheck, type DepacketizedFrame, type DepacketizerInput, type Depacketizer } from './frame.js';

/** RTP clock rate of T.140 (RFC 4103 §6). */
export const T140_CLOCK = 1000;
/** T.140 new line (ITU-T T.140 §5.2). */
const LINE_SEPARATOR = '\u2028';
/** BOM, which T.140 allows at the start of a session and receivers ignore. */
const BOM = '\uFEFF';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** The packet payload of a cue's text ('' for a clear): UTF-8, '\n' as U+2028, at most `max` bytes. */
export function encodeT140(text: string, max: number): Uint8Array {
  const wire = text.replace(/\r\n?/g, '\n').replace(/\n/g, LINE_SEPARATOR);
  const bytes = encoder.encode(wire);
  if (bytes.length <= max) return bytes;
  // Back off to the start of a UTF-8 sequence so the cut never splits a character.
  let end = Math.max(0, Math.floor(max));
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/** The text of a payload: U+2028 and T.140's CR LF as '\n', BOMs dropped, invalid UTF-8 as U+FFFD. */
export function decodeT140(payload: Uint8Array): string {
  return decoder
    .decode(payload)
    .split(BOM)
    .join('')
    .replace(/\r\n|\u2028/g, '\n');
}

/**
 * Payloads of one access unit of a text track: one per unit element, each cut to `mtu`. An access
 * unit with no data (or only empty data) is a clear and gives one empty payload.
 */
export function packetizeT140(data: readonly Uint8Array[], mtu: number): Uint8Array[] {
  if (!(mtu >= 1)) throw new Error(`MTU ${mtu} is too small for T.140`);
  const text = data.map((d) => decoder.decode(d)).join('');
  return [encodeT140(text, mtu)];
}

/**
 * Frames of a T.140 track: each packet is one frame at its timestamp (data: [the text's UTF-8 with
 * '\n' line breaks], or [] for a clear). A gap marks the next frame damaged: a cue may be missing.
 */
export class T140Depacketizer implements Depacketizer {
  private lastSeq = -1;

  push(pkt: DepacketizerInput): DepacketizedFrame[] {
    const order = seqCheck(this.lastSeq, pkt.sequenceNumber);
    if (order < 0) return [];
    this.lastSeq = pkt.sequenceNumber & 0xffff;
    const text = decodeT140(pkt.payload);
    const f: DepacketizedFrame = { timestamp: pkt.timestamp >>> 0, data: text === '' ? [] : [encoder.encode(text)] };
    if (order > 0) f.damaged = true;
    return [f];
  }
}

/** A cue as a text track's access units carry it: text from `start` (in T140_CLOCK ticks) until the next unit. */
export interface TextUnit {
  timestamp: number;
  /** '' clears the cue shown. */
  text: string;
}

/** The text of a depacketized frame ('' for a clear). */
export function frameText(f: DepacketizedFrame): string {
  return f.data.map((d) => decoder.decode(d)).join('');
}
