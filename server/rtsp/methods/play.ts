// PLAY and PAUSE (RFC 2326 §10.5, §10.6): start, seek, resume with continuous seq/timestamps, pause.
import { RtspError } from '../errors.js';
import { formatRange, parseRange } from '../headers/range.js';
import { formatRtpInfo } from '../headers/rtp-info.js';
import type { Handler, RequestContext } from './request-context.js';
import type { RtspSession } from '../session.js';

function requireAggregate(ctx: RequestContext, s: RtspSession): void {
  // A track URL is fine when it is the only track (RFC 2326 §10.5); otherwise 460.
  if (ctx.target.trackId !== undefined && s.tracks.size > 1) {
    throw new RtspError(460, `${ctx.req.method} on one track of a ${s.tracks.size}-track session; use the aggregate URL rtsp://…/${s.path}`);
  }
  if (ctx.target.path !== s.path && ctx.req.uri !== '*') {
    throw new RtspError(400, `session ${s.id} plays /${s.path}, not /${ctx.target.path}`);
  }
}

export const play: Handler = (ctx) => {
  const s = ctx.session!;
  requireAggregate(ctx, s);
  const pb = s.playback!;
  const rangeHeader = ctx.req.headers.get('Range');
  const range = rangeHeader ? parseRange(rangeHeader) : undefined;
  // A PLAY while playing repositions: stop the clock first so Range and RTP-Info name exactly
  // the instant the first packet carries; the clock restarts once the answer is out.
  pb.pause();
  ctx.server.pacer.delete(pb);
  if (range && range.start !== 'now') {
    if (range.start > pb.duration) {
      throw new RtspError(457, `Range ${rangeHeader} starts after the end of /${s.path} (${pb.duration.toFixed(3)} s)`);
    }
    if (range.end !== undefined && range.end <= range.start) {
      throw new RtspError(457, `Range ${rangeHeader} ends before it starts`);
    }
    pb.seek(range.start, range.end);
  } else if (pb.state === 'ended') {
    // PLAY without a range after the end replays from the start, as a user pressing play again expects.
    pb.seek(0);
  }
  const start = pb.currentPosition();
  const info = pb.rtpInfo();
  const rtpInfo = formatRtpInfo(
    info.map((i) => ({ url: s.tracks.get(i.trackId)!.controlUrl, seq: i.seq, rtptime: i.rtptime })),
  );
  const wasPlaying = s.state === 'playing';
  s.state = 'playing';
  ctx.server.log.info({ session: s.id, path: s.path, npt: Number(start.toFixed(3)), seek: !!range && range.start !== 'now' }, wasPlaying ? 'play (reposition)' : 'play');
  return {
    headers: {
      Range: formatRange({ unit: 'npt', start, end: pb.duration }),
      'RTP-Info': rtpInfo,
    },
    session: s,
    after: () => {
      pb.onEnd = () => ctx.server.log.info({ session: s.id, path: s.path }, 'end of stream: BYE sent, session kept until TEARDOWN or timeout');
      pb.play();
      ctx.server.pacer.add(pb);
    },
  };
};

export const pause: Handler = (ctx) => {
  const s = ctx.session!;
  requireAggregate(ctx, s);
  const pb = s.playback!;
  pb.pause();
  ctx.server.pacer.delete(pb);
  if (s.state === 'playing') ctx.server.log.info({ session: s.id, npt: Number(pb.currentPosition().toFixed(3)) }, 'pause');
  s.state = 'ready';
  return { headers: { Range: formatRange({ unit: 'npt', start: pb.currentPosition(), end: pb.duration }) }, session: s };
};
