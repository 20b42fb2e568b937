// The relay client's PLAY sequence replies: DESCRIBE's SDP, SETUP per media (UDP or TCP) and its checks, PLAY's RTP-Info and Range.

import { STATUS_REASONS } from '../../rtsp/errors.js';
import type { RtspHeadersInit } from '../../rtsp/headers-map.js';
import { parseRtpInfo, type RtpInfoHeader } from '../../rtsp/headers/rtp-info.js';
import { parsePublic } from '../../rtsp/headers/public.js';
import { parseSession } from '../../rtsp/headers/session.js';
import { formatTransport, parseTransport, type TransportHeader } from '../../rtsp/headers/transport.js';
import type { RtspResponse } from '../../rtsp/message.js';
import { RtspClientError, type DescribedMedia } from './rtsp-client-types.js';
import { bindUdpPair, closePair, type UdpPair } from './udp-pair.js';

const decoder = new TextDecoder();

/** What the sequence needs from the client: its request function (CSeq, Session, auth) and its status errors. */
export interface SequenceSteps {
  request(method: string, url: string, headers?: RtspHeadersInit): Promise<RtspResponse>;
  statusError(method: string, url: string, res: RtspResponse): RtspClientError;
}

export interface SetupReply {
  /** The server's Transport reply. */
  reply: TransportHeader;
  /** The first SETUP's Session: the id, and the timeout in seconds when given. */
  session?: { id: string; timeoutS?: number };
}

/** An error for a non-2xx answer, with the server's own words and, for a 401, why it could not be answered. */
export function statusError(method: string, url: string, res: RtspResponse, authProblem: string | undefined): RtspClientError {
  let message = `upstream ${url} answered ${method} with ${res.status} ${res.reason || STATUS_REASONS[res.status] || ''}`.trimEnd();
  const type = res.headers.get('Content-Type') ?? '';
  const text = decoder.decode(res.body).trim();
  // Servers like ours explain the refusal in a text/plain body; pass that on.
  if (text !== '' && text.length <= 300 && (type === '' || /^text\/plain\b/i.test(type))) message += `: ${text}`;
  if (res.status === 401 && authProblem) message += `; ${authProblem}`;
  return new RtspClientError(message, res.status);
}

/** The SDP of a 200 DESCRIBE answer; anything but a non-empty application/sdp is refused. */
export function readDescribeSdp(url: string, res: RtspResponse): string {
  const type = res.headers.get('Content-Type');
  if (type !== undefined && !/^application\/sdp\b/i.test(type.trim())) {
    throw new RtspClientError(`upstream ${url} answered DESCRIBE with ${type}, not application/sdp`);
  }
  const sdp = decoder.decode(res.body);
  if (sdp.trim() === '') throw new RtspClientError(`upstream ${url} answered DESCRIBE with an empty SDP`);
  return sdp;
}

/**
 * SETUP over UDP from a new even/odd port pair: the caller owns the pair on success; on any failure
 * it is closed here. Undefined for 461 Unsupported Transport on the first SETUP, so the caller can
 * fall back to TCP as ffmpeg and VLC do.
 */
export async function setupUdp(
  steps: SequenceSteps,
  media: DescribedMedia,
  family: 'udp4' | 'udp6',
  first: boolean,
  needSession: boolean,
): Promise<(SetupReply & { pair: UdpPair }) | undefined> {
  const pair = await bindUdpPair(family);
  const request: TransportHeader = { protocol: 'RTP/AVP', lowerTransport: 'UDP', delivery: 'unicast', clientPort: pair.ports, extra: [] };
  let res: RtspResponse;
  try {
    res = await steps.request('SETUP', media.control, { Transport: formatTransport(request) });
  } catch (err) {
    closePair(pair);
    throw err;
  }
  if (res.status === 461 && first) {
    closePair(pair);
    return undefined;
  }
  if (res.status !== 200) {
    closePair(pair);
    throw steps.statusError('SETUP', media.control, res);
  }
  try {
    return { ...readSetupReply(media, res, 'UDP', needSession), pair };
  } catch (err) {
    closePair(pair);
    throw err;
  }
}

/** SETUP interleaved on the RTSP connection, asking for channels 2i and 2i+1; resolves to the channels the server chose. */
export async function setupTcp(steps: SequenceSteps, media: DescribedMedia, needSession: boolean): Promise<SetupReply & { interleaved: [number, number] }> {
  const channels: [number, number] = [2 * media.index, 2 * media.index + 1];
  const request: TransportHeader = { protocol: 'RTP/AVP', lowerTransport: 'TCP', delivery: 'unicast', interleaved: channels, extra: [] };
  const res = await steps.request('SETUP', media.control, { Transport: formatTransport(request) });
  if (res.status !== 200) throw steps.statusError('SETUP', media.control, res);
  const setup = readSetupReply(media, res, 'TCP', needSession);
  // The server may pick other channels (RFC 2326 §12.39); what it says is what it will use.
  return { ...setup, interleaved: setup.reply.interleaved ?? channels };
}

/** Checks the Transport reply and, when `needSession` (the first SETUP), reads the Session. */
export function readSetupReply(media: DescribedMedia, res: RtspResponse, lower: 'UDP' | 'TCP', needSession: boolean): SetupReply {
  const raw = res.headers.get('Transport');
  if (raw === undefined) throw new RtspClientError(`upstream ${media.control} answered SETUP without a Transport header`);
  let reply: TransportHeader;
  try {
    reply = parseTransport(raw)[0]!;
  } catch (err) {
    throw new RtspClientError(`upstream ${media.control} answered SETUP with an unreadable Transport ${JSON.stringify(raw)}: ${(err as Error).message}`);
  }
  if (reply.lowerTransport !== lower) {
    // ffmpeg: "Nonmatching transport in server reply".
    throw new RtspClientError(`upstream ${media.control} answered SETUP over ${reply.lowerTransport} when asked for ${lower} (${raw})`);
  }
  if (!needSession) return { reply };
  const session = res.headers.get('Session');
  if (session === undefined) throw new RtspClientError(`upstream ${media.control} answered SETUP without a Session header`);
  try {
    const s = parseSession(session);
    // A zero or absurdly small timeout would make keepalives spin; clamp to at least 2 s.
    return { reply, session: s.timeout !== undefined ? { id: s.id, timeoutS: Math.max(2, s.timeout) } : { id: s.id } };
  } catch (err) {
    throw new RtspClientError(`upstream ${media.control} answered SETUP with an unreadable Session ${JSON.stringify(session)}: ${(err as Error).message}`);
  }
}

/** The PLAY answer's RTP-Info, as parsed, and its Range, raw. */
export function readPlayReply(res: RtspResponse): { rtpInfo?: RtpInfoHeader; range?: string } {
  let rtpInfo: RtpInfoHeader | undefined;
  const rawInfo = res.headers.get('RTP-Info');
  if (rawInfo !== undefined) {
    try {
      rtpInfo = parseRtpInfo(rawInfo);
    } catch {
      rtpInfo = undefined; // optional for playing: without it the first packet sets the base
    }
  }
  const range = res.headers.get('Range');
  return { ...(rtpInfo ? { rtpInfo } : {}), ...(range !== undefined ? { range } : {}) };
}

/**
 * The methods an OPTIONS answer lists in Public; null when it did not answer 200 or lists none (keep
 * what was known: OPTIONS is advisory, as for ffmpeg), undefined when Public cannot be read.
 */
export function readPublic(res: RtspResponse): string[] | undefined | null {
  const pub = res.status === 200 ? res.headers.get('Public') : undefined;
  if (pub === undefined) return null;
  try {
    return parsePublic(pub);
  } catch {
    return undefined;
  }
}
