// GET /api/v1/openapi.json: the API described as OpenAPI 3.1. Operations another part of the server
// installs (the config API) are listed once the app answers them, so the document never names a
// route this server does not have.
import type { Express, Response } from 'express';
import { SCHEMAS } from './openapi-schemas.js';
import { appAnswers, appRoutes } from './route-walk.js';

type Op = Record<string, unknown>;

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });
const body = (schema: unknown, description: string): Op => ({ description, content: { 'application/json': { schema } } });
const err = (description: string): Op => body(ref('Error'), description);
const COMMON = { 401: err('Credentials needed'), 403: err('No `api` permission') };
const nameParam = { name: 'name', in: 'path', required: true, description: 'The path name; it may contain "/" (cams/door).', schema: { type: 'string' } };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

/** Routes the HTTP API serves itself (installApi and the auth gate). */
const CORE: Record<string, Record<string, Op>> = {
  '/api/v1/status': {
    get: { summary: 'Server status', operationId: 'getStatus', responses: { 200: body(ref('Status'), 'Version, uptime, ports and counts'), ...COMMON } },
  },
  '/api/v1/paths': {
    get: {
      summary: 'Live paths and media files',
      operationId: 'listPaths',
      responses: {
        200: body({ type: 'object', required: ['live', 'files'], properties: { live: { type: 'array', items: ref('LivePath') }, files: { type: 'array', items: ref('FilePath') } } }, 'Every live path and media file'),
        ...COMMON,
      },
    },
  },
  '/api/v1/paths/{name}': {
    get: {
      summary: 'One live path or media file',
      operationId: 'getPath',
      parameters: [nameParam],
      responses: { 200: body({ oneOf: [ref('LivePath'), ref('FilePath')] }, 'The path'), 404: err('No such path'), ...COMMON },
    },
  },
  '/api/v1/cluster': {
    get: { summary: 'Cluster nodes seen in Redis, or the --workers processes', operationId: 'getCluster', responses: { 200: body(ref('Cluster'), 'This node and every node alive in the cluster (with --workers: the origin and its edge processes)'), ...COMMON } },
  },
  '/api/v1/paths/{name}/captions': {
    post: {
      summary: 'Put a caption on a live path',
      description: 'A cue from the path\'s current media time for `duration` seconds (default 3), shown by its HLS viewers: the path\'s index.m3u8 lists a SUBTITLES rendition from its first caption on. On a path configured with `captions: true` it also goes at once to the RTSP readers of its T.140 text track (m=text), cleared when its duration is over. Needs `publish` on the path. docs/subtitles.md.',
      operationId: 'postCaption',
      parameters: [nameParam],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['text'], properties: { text: { type: 'string', maxLength: 500 }, duration: { type: 'number', exclusiveMinimum: 0, maximum: 60 } } } } } },
      responses: {
        200: body({ type: 'object', required: ['path', 'text', 'rtsp'], properties: { path: { type: 'string' }, start: { type: 'number' }, end: { type: 'number' }, text: { type: 'string' }, rtsp: { type: 'boolean', description: 'Sent to the RTSP readers of the path\'s caption track (`captions: true`)' } } }, 'The cue, in seconds of the stream\'s media time (start and end absent when the stream carried no frame yet and only RTSP readers got it)'),
        400: err('Bad body'),
        404: err('The path is not live'),
        503: err('The stream has carried no frame yet (and the path has no caption track)'),
        ...COMMON,
      },
    },
  },
  '/api/v1/sessions': {
    get: {
      summary: 'Every reader and publisher, all protocols',
      operationId: 'listSessions',
      responses: { 200: body({ type: 'object', required: ['sessions'], properties: { sessions: { type: 'array', items: ref('ClientRecord') } } }, 'The clients'), ...COMMON },
    },
  },
  '/api/v1/sessions/{id}': {
    get: { summary: 'One client', operationId: 'getSession', parameters: [idParam], responses: { 200: body(ref('ClientRecord'), 'The client'), 404: err('No such session'), ...COMMON } },
    delete: {
      summary: 'Kick a client',
      description: 'An RTSP reader gets RTCP BYE and its connection closes; a publisher\'s stream ends (its readers get BYE); a progressive response ends; an HLS muxer stops; a relay drops its upstream session and connects again.',
      operationId: 'kickSession',
      parameters: [idParam, { name: 'reason', in: 'query', required: false, schema: { type: 'string' } }],
      responses: { 200: body({ type: 'object', required: ['kicked'], properties: { kicked: { type: 'string' } } }, 'Kicked'), 404: err('No such session'), ...COMMON },
    },
  },
  '/api/v1/sessions/{id}/redirect': {
    post: {
      summary: 'Send one RTSP session to another server (REDIRECT)',
      description: 'The client gets an RTSP REDIRECT (RFC 2326 §10.10) with `Location` and `Range: clock=<now>-`; a web player on a WebSocket also gets `X-WebSocket-Location` when `httpLocation` is given. The session goes on until the client leaves. docs/drain.md.',
      operationId: 'redirectSession',
      parameters: [idParam],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['location'], properties: { location: { type: 'string', description: 'rtsp://host:port/path' }, httpLocation: { type: 'string', description: 'http://host:port of that server' } } } } } },
      responses: {
        200: body({ type: 'object', required: ['redirected', 'location'], properties: { redirected: { type: 'string' }, location: { type: 'string' } } }, 'REDIRECT sent'),
        400: err('No rtsp:// location'),
        404: err('No such session'),
        409: err('Not an RTSP session, or its connection is closed'),
        ...COMMON,
      },
    },
  },
  '/api/v1/drain': {
    get: { summary: 'Whether the server drains, and where to', operationId: 'getDrain', responses: { 200: body(ref('Drain'), 'The drain state'), ...COMMON } },
    post: {
      summary: 'Drain the server to another one, then exit',
      description: 'New RTSP requests answer 302 to `<location>/<path>`, HTTP stream requests 302 to `<httpLocation><url>`; every RTSP session gets REDIRECT, progressive responses end. The server closes (and `tidecast serve` exits) once none is left, or after the grace time, when those left are torn down. Fields default to the config\'s `drain:`. docs/drain.md.',
      operationId: 'drain',
      requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', properties: { location: { type: 'string' }, httpLocation: { type: 'string' }, graceSeconds: { type: 'number' } } } } } },
      responses: { 202: body(ref('Drain'), 'Draining'), 400: err('No or bad location'), 409: err('Already draining'), ...COMMON },
    },
  },
  '/api/v1/recordings': {
    get: {
      summary: 'Paths with recordings on disk',
      operationId: 'listRecordings',
      responses: {
        200: body({ type: 'object', required: ['paths'], properties: { paths: { type: 'array', items: { type: 'object', required: ['name', 'segments'], properties: { name: { type: 'string' }, segments: { type: 'integer' } } } } } }, 'Recorded paths and their segment counts'),
        ...COMMON,
      },
    },
  },
  '/api/v1/recordings/{name}': {
    get: {
      summary: 'Segments and continuous spans of one path\'s recording',
      operationId: 'getRecording',
      parameters: [nameParam],
      responses: {
        200: body(
          {
            type: 'object',
            required: ['name', 'segments', 'spans'],
            properties: {
              name: { type: 'string' },
              segments: { type: 'array', items: { type: 'object', required: ['file', 'start', 'duration', 'size'], properties: { file: { type: 'string' }, start: { type: 'string', format: 'date-time' }, duration: { type: 'number', description: 'Seconds' }, size: { type: 'integer' } } } },
              spans: { type: 'array', items: { type: 'object', required: ['start', 'end', 'duration'], properties: { start: { type: 'string', format: 'date-time' }, end: { type: 'string', format: 'date-time' }, duration: { type: 'number' } } } },
            },
          },
          'The segments, oldest first, and the spans they make',
        ),
        404: err('No recording of this path'),
        ...COMMON,
      },
    },
  },
  '/api/v1/openapi.json': {
    get: { summary: 'This document', operationId: 'getOpenApi', responses: { 200: body({ type: 'object' }, 'OpenAPI 3.1'), ...COMMON } },
  },
  '/api/v1/login': {
    post: {
      summary: 'Get a token for Basic credentials',
      operationId: 'login',
      security: [{ basic: [] }],
      parameters: [
        { name: 'action', in: 'query', required: false, schema: { enum: ['read', 'publish', 'playback', 'api', 'metrics'] } },
        { name: 'path', in: 'query', required: false, schema: { type: 'string' } },
      ],
      responses: { 200: body(ref('Login'), 'The token (also set as an HttpOnly cookie)'), ...COMMON, 429: err('Too many failed logins') },
    },
  },
  '/api/v1/logout': {
    post: { summary: 'Forget the token cookie', operationId: 'logout', responses: { 200: body({ type: 'object', properties: { ok: { const: true } } }, 'Logged out') } },
  },
};

const pathConfigBody = { required: true, content: { 'application/json': { schema: ref('PathConfig') } } };
const edited = (description: string): Op =>
  body({ type: 'object', required: ['name'], properties: { name: { type: 'string' }, path: ref('PathConfig'), file: { type: 'string', description: 'The config file written.' } } }, description);
const invalid = err('Invalid fields: `reasons` lists each');

/** The runtime configuration API (config reload): documented once the app installs it. */
const CONFIG: Record<string, Record<string, Op>> = {
  '/api/v1/config': {
    get: { summary: 'The running configuration', operationId: 'getConfig', responses: { 200: body({ type: 'object' }, 'The configuration, secrets masked'), 503: err('Not ready yet'), ...COMMON } },
  },
  '/api/v1/config/paths/{name}': {
    post: { summary: 'Add a path', operationId: 'addPathConfig', parameters: [nameParam], requestBody: pathConfigBody, responses: { 201: edited('Added and applied'), 400: invalid, 409: err('The path exists'), ...COMMON } },
    patch: { summary: "Change a path's fields", operationId: 'patchPathConfig', parameters: [nameParam], requestBody: pathConfigBody, responses: { 200: edited('Changed and applied'), 400: invalid, 404: err('No such path'), ...COMMON } },
    delete: {
      summary: 'Remove a path (its readers get BYE)',
      operationId: 'deletePathConfig',
      parameters: [nameParam],
      responses: { 200: body({ type: 'object', required: ['name', 'removed'], properties: { name: { type: 'string' }, removed: { const: true }, file: { type: 'string' } } }, 'Removed'), 404: err('No such path'), ...COMMON },
    },
  },
};

/** A URL for a templated path, for matching it against the app's routes. */
export function sampleUrl(template: string): string {
  return template.replace('{name}', 'cams/door').replace('{id}', 'x');
}

/** The document for `app`: every core route, and the config routes the app answers. */
export function openApiDocument(app: Express, version: string): Record<string, unknown> {
  const routes = appRoutes(app);
  const paths: Record<string, Record<string, Op>> = { ...CORE };
  for (const [p, ops] of Object.entries(CONFIG)) {
    const have = Object.fromEntries(Object.entries(ops).filter(([m]) => appAnswers(routes, m.toUpperCase(), sampleUrl(p))));
    if (Object.keys(have).length > 0) paths[p] = have;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Tidecast API', version, description: 'Status, paths and every reader and publisher of a Tidecast server. Needs the `api` permission.' },
    paths,
    components: {
      schemas: SCHEMAS,
      securitySchemes: { basic: { type: 'http', scheme: 'basic' }, bearer: { type: 'http', scheme: 'bearer' }, token: { type: 'apiKey', in: 'cookie', name: 'tidecast_token' } },
    },
    security: [{}, { basic: [] }, { bearer: [] }, { token: [] }],
  };
}

export function installOpenApi(app: Express, version: string, json: (res: Response, body: unknown) => void): void {
  app.get('/api/v1/openapi.json', (_req, res) => json(res, openApiDocument(app, version)));
}
