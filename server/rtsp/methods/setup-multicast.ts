// SETUP with RTP/AVP;multicast: whether an offer can be served, the group a track gets, and the session's hold on it.
import type { Track } from '../../media/track.js';
import type { TransportHeader } from '../headers/transport.js';
import type { MulticastTrackTransport, RtspSession, SessionMedia } from '../session.js';
import type { RequestContext } from './request-context.js';

/**
 * The multicast transport for `track`, or undefined with the reason pushed to `refusals`.
 * Groups are per track with the configured ports (as gortsplib does): a receiver that wants only
 * one track joins only that group, and routers prune per group, not per port.
 */
export function acceptMulticast(ctx: RequestContext, offer: TransportHeader, media: SessionMedia, track: Track, record: boolean, refusals: string[]): MulticastTrackTransport | undefined {
  const hub = ctx.server.multicast;
  const range = ctx.server.config.multicastIPRange;
  if (offer.lowerTransport === 'TCP') {
    refusals.push('multicast is carried over UDP; RTP/AVP/TCP;multicast is not a transport');
    return undefined;
  }
  if (record || media.kind === 'publish') {
    refusals.push('a publisher sends to the server; multicast is for readers');
    return undefined;
  }
  if (media.kind === 'file') {
    // Each reader of a file has its own cursor (seek, pause, pace): nothing to share on a group.
    refusals.push('multicast is offered on live paths; files play per reader over UDP or TCP unicast');
    return undefined;
  }
  if (media.stream.ended) {
    refusals.push(`/${media.stream.name} stopped publishing; DESCRIBE it again once it is back`);
    return undefined;
  }
  // RFC 2326 §12.39: a server should not let a client aim a stream at an address it did not choose.
  // Inside our range the request is harmless: the answer names the group the stream really uses.
  if (offer.destination && !hub.contains(offer.destination)) {
    refusals.push(`destination=${offer.destination} is outside ${range}, the multicast range this server sends to; omit destination to get a group`);
    return undefined;
  }
  const group = hub.senderOf(media.stream).groupFor(track.id);
  if (!group) {
    refusals.push(`every multicast group of ${range} is in use; raise multicastIPRange or use unicast`);
    return undefined;
  }
  return { kind: 'multicast', group, rtpPort: hub.rtpPort, rtcpPort: hub.rtcpPort, ttl: hub.ttl };
}

/** The delivery a session's other tracks use, when it differs from `multicast` (one session, one delivery). */
export function mixedDelivery(session: RtspSession | undefined, trackId: number, multicast: boolean): string | undefined {
  if (!session) return undefined;
  for (const t of session.tracks.values()) {
    if (t.trackId === trackId) continue;
    const isMulticast = t.transport.kind === 'multicast';
    if (isMulticast !== multicast) {
      return `session ${session.id} receives trackID=${t.trackId} by ${isMulticast ? 'multicast' : 'unicast'}; set up every track of a session the same way`;
    }
  }
  return undefined;
}

/** Makes the session hold (or let go of) its stream's multicast sender after a track was set up. */
export function holdMulticast(ctx: RequestContext, s: RtspSession, multicast: boolean): void {
  const m = s.media;
  if (!multicast || m.kind !== 'live') {
    // The only track moved from multicast to unicast by a new SETUP.
    if (s.multicast) {
      s.multicast.release(s);
      s.multicast = undefined;
    }
    return;
  }
  const sender = ctx.server.multicast.senderOf(m.stream);
  if (s.multicast === sender) return;
  s.multicast?.release(s);
  sender.hold(s);
  s.multicast = sender;
  s.cleanups.push(() => {
    if (s.multicast === sender) sender.release(s);
  });
}
