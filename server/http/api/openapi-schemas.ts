// JSON Schemas of the API's records (OpenAPI 3.1 components): ClientRecord, path records, tracks, errors.
import { CLIENT_PROTOCOLS } from '../../core/clients.js';

const int = { type: 'integer', minimum: 0 } as const;
const num = { type: 'number', minimum: 0 } as const;
const str = { type: 'string' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });

const trafficProps = {
  readers: { ...int, description: 'Readers now, whatever the protocol (an HLS muxer counts once).' },
  readersByProtocol: { type: 'object', additionalProperties: int, description: 'Readers now by protocol, e.g. {"rtsp-udp": 2, "hls": 1}.' },
  bytesIn: { ...int, description: 'Bytes received from the publisher or source of the current stream.' },
  bitrateIn: { ...int, description: 'Bits per second received over the last few seconds.' },
  bytesOut: { ...int, description: 'Bytes sent to readers since the server started (readers gone included).' },
  bitrateOut: { ...int, description: 'Bits per second sent to the readers connected now.' },
};

export const SCHEMAS: Record<string, unknown> = {
  ClusterNode: {
    type: 'object',
    required: ['id', 'role', 'rtsp', 'http', 'readers', 'accepted', 'capacity', 'egressBps', 'cpu', 'pulls', 'at'],
    properties: {
      id: str,
      role: { enum: ['origin', 'edge', 'front'] },
      rtsp: { ...str, description: 'Base RTSP URL readers reach it at.' },
      http: { ...str, description: 'Base HTTP URL readers reach it at.' },
      readers: { ...int, description: 'Readers it serves now, every protocol.' },
      accepted: { ...int, description: 'Readers it accepted since it started.' },
      capacity: { ...int, description: 'Readers before a front prefers another edge.' },
      egressBps: { ...int, description: 'Bits per second sent to readers.' },
      cpu: { ...num, description: 'Share of one core used since its previous report.' },
      pulls: { type: 'array', items: str, description: 'Paths it pulls from the origin now.' },
      at: { ...int, description: 'When it wrote the record (ms since the epoch).' },
    },
  },
  Cluster: {
    type: 'object',
    required: ['id', 'role', 'nodes'],
    properties: { id: { type: ['string', 'null'] }, role: { enum: ['origin', 'edge', 'front', null] }, nodes: { type: 'array', items: ref('ClusterNode') } },
  },
  Error: {
    type: 'object',
    required: ['error'],
    properties: { error: { ...str, description: 'What went wrong and what to do instead.' }, status: int, reasons: { type: 'array', items: str } },
  },
  ReceiverReport: {
    type: 'object',
    required: ['trackId', 'fractionLost', 'cumulativeLost', 'jitterMs'],
    properties: { trackId: int, fractionLost: { type: 'number', minimum: 0, maximum: 1 }, cumulativeLost: { type: 'integer' }, jitterMs: num },
  },
  Qos: {
    type: 'object',
    description: "An RTSP reader's link judged from its RTCP receiver reports, and what thinning spares it (docs/qos.md).",
    required: ['state', 'fractionLost', 'cumulativeLost', 'jitterMs', 'thinning', 'reports', 'thinnedFrames', 'keyFrames', 'videoPackets', 'audioPackets'],
    properties: {
      state: { enum: ['good', 'congested', 'failing'] },
      fractionLost: { type: 'number', minimum: 0, maximum: 1, description: 'Of the latest receiver report.' },
      cumulativeLost: { type: 'integer' },
      jitterMs: num,
      rttMs: { ...num, description: 'Round-trip time from the latest report naming an SR we sent (LSR/DLSR).' },
      thinning: { enum: ['off', 'none', 'non-reference', 'key-frames'], description: 'off: this reader cannot be thinned (TCP, SRTP, multicast, or qos.thinning false).' },
      rendition: { ...str, description: 'A path with renditions: main, or the rendition this reader was switched to because its link stayed failing (docs/qos.md).' },
      reports: int,
      thinnedFrames: { ...int, description: 'Video frames withheld from this reader.' },
      keyFrames: { ...int, description: 'Key frames sent since thinning was first asked for.' },
      videoPackets: int,
      audioPackets: int,
    },
  },
  ClientRecord: {
    type: 'object',
    description: 'One reader or publisher, whatever its protocol. An HLS record is one live muxer (players are anonymous).',
    required: ['id', 'role', 'protocol', 'path', 'since', 'bytes', 'bitrate'],
    properties: {
      id: { ...str, description: 'RTSP: the session id; others: "http-N", "hls-N", "relay-N". DELETE /api/v1/sessions/{id} kicks it.' },
      role: { enum: ['reader', 'publisher'] },
      protocol: { enum: [...CLIENT_PROTOCOLS] },
      path: str,
      user: { ...str, description: 'The authenticated user, when there is one.' },
      address: str,
      port: { type: 'integer', minimum: 0, maximum: 65535 },
      since: time,
      bytes: { ...int, description: 'Bytes sent to a reader, or received from a publisher.' },
      packets: { ...int, description: 'RTSP readers: RTP packets sent.' },
      bitrate: { ...int, description: 'Bits per second over the last few seconds.' },
      state: { ...str, description: 'RTSP: init, ready, playing, recording; progressive: playing; HLS: starting, playing, ended, stopped; relay: publishing.' },
      dropped: { ...int, description: 'Packets not sent because the client was too slow.' },
      receiverReports: { type: 'array', items: ref('ReceiverReport') },
      qos: ref('Qos'),
      requestRate: { ...num, description: 'HLS: requests per second.' },
      clientsSeen: { type: 'array', items: str, description: 'HLS: client addresses seen (the last 32).' },
      media: { enum: ['file', 'live', 'publish'], description: 'RTSP: what the session does.' },
      transports: { type: 'array', items: { enum: ['udp', 'tcp', 'multicast'] }, description: 'RTSP: the lower transport of each track.' },
    },
  },
  Track: {
    type: 'object',
    required: ['id', 'kind', 'codec', 'clockRate'],
    properties: {
      id: int,
      kind: { enum: ['video', 'audio', 'application', 'text'] },
      codec: str,
      clockRate: int,
      width: int,
      height: int,
      channels: int,
      language: { type: 'string', description: 'The language of the track (ISO 639 code or RFC 5646 tag), as its source tagged it: see docs/languages.md.' },
      name: { type: 'string', description: 'The title of the track, as its source gave it.' },
    },
  },
  PathSource: {
    type: 'object',
    required: ['type', 'description'],
    properties: { type: { enum: ['relay', 'ffmpeg', 'publisher', 'redirect', 'source'] }, description: str, url: str, address: str },
  },
  LivePath: {
    type: 'object',
    required: ['name', 'kind', 'state', 'running', 'source', 'tracks', 'packets', 'bytes', ...Object.keys(trafficProps)],
    properties: {
      name: str,
      kind: { const: 'live' },
      state: { enum: ['idle', 'starting', 'ready', 'redirect'] },
      running: { type: 'boolean' },
      source: ref('PathSource'),
      redirect: str,
      problem: { ...str, description: 'Why the source is not up (last connect error, last exit).' },
      publisher: { type: 'object', required: ['address', 'session', 'since'], properties: { address: str, session: str, since: time } },
      tracks: { type: 'array', items: ref('Track') },
      packets: int,
      bytes: { ...int, description: 'Same as bytesIn.' },
      since: time,
      ...trafficProps,
    },
  },
  FilePath: {
    type: 'object',
    required: ['name', 'kind'],
    properties: { name: str, kind: { const: 'file' }, state: { const: 'ready' }, duration: num, tracks: { type: 'array', items: ref('Track') }, ...trafficProps },
  },
  Status: {
    type: 'object',
    required: ['server', 'version', 'startedAt', 'uptimeSeconds', 'rtspPort'],
    properties: {
      server: { const: 'tidecast' }, version: str, startedAt: time, uptimeSeconds: int, rtspPort: int,
      rtspConnections: int, rtspSessions: int, liveStreams: int, readers: int, publishers: int,
    },
  },
  PathConfig: {
    type: 'object',
    description: "A path's configuration fields, as under `paths:` in the config file (source, sourceOnDemand, redirect, overridePublisher, ...).",
    additionalProperties: true,
  },
  Login: {
    type: 'object',
    required: ['user', 'token', 'expiresAt'],
    properties: { user: str, token: str, expiresAt: time },
  },
  Drain: {
    type: 'object',
    required: ['draining'],
    properties: {
      draining: { type: 'boolean' },
      location: { ...str, description: 'rtsp://host:port of the server that takes over' },
      httpLocation: { type: ['string', 'null'] },
      graceSeconds: { type: 'number' },
      since: time,
    },
  },
};
