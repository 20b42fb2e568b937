// The OpenAPI document follows the app's routes: the config API is listed once installed, and the
// route walker sees plain, RegExp and mounted-router routes with their methods.
import express from 'express';
import { describe, expect, it } from 'vitest';
import { openApiDocument, sampleUrl } from '../../server/http/api/openapi.js';
import { appAnswers, appRoutes } from '../../server/http/api/route-walk.js';

describe('route walker', () => {
  it('matches string, RegExp and mounted routes by method and URL', () => {
    const app = express();
    app.get('/api/v1/status', (_q, r) => void r.end());
    app.delete(/^\/api\/v1\/sessions\/([^/]+)$/, (_q, r) => void r.end());
    const sub = express.Router();
    sub.patch(/^\/paths\/(.+)$/, (_q, r) => void r.end());
    app.use('/api/v1/config', sub);
    const routes = appRoutes(app);
    expect(routes.map((r) => r.methods.join())).toEqual(['GET', 'DELETE', 'PATCH']);
    expect(appAnswers(routes, 'GET', '/api/v1/status')).toBe(true);
    expect(appAnswers(routes, 'HEAD', '/api/v1/status')).toBe(true);
    expect(appAnswers(routes, 'POST', '/api/v1/status')).toBe(false);
    expect(appAnswers(routes, 'DELETE', '/api/v1/sessions/abc')).toBe(true);
    expect(appAnswers(routes, 'DELETE', '/api/v1/sessions/a/b')).toBe(false);
    expect(appAnswers(routes, 'PATCH', '/api/v1/config/paths/cams/door')).toBe(true);
    expect(appAnswers(routes, 'PATCH', '/api/v1/other/paths/cams/door')).toBe(false);
  });
});

describe('OpenAPI document', () => {
  it('lists the config routes only when the app answers them', () => {
    const bare = express();
    const without = openApiDocument(bare, '1.0.0') as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(without.paths)).not.toContain('/api/v1/config');
    expect(Object.keys(without.paths)).toEqual(expect.arrayContaining(['/api/v1/status', '/api/v1/paths', '/api/v1/paths/{name}', '/api/v1/sessions', '/api/v1/sessions/{id}', '/api/v1/login', '/api/v1/openapi.json']));

    const app = express();
    app.get('/api/v1/config', (_q, r) => void r.end());
    app.post(/^\/api\/v1\/config\/paths\/(.+)$/, (_q, r) => void r.end());
    app.patch(/^\/api\/v1\/config\/paths\/(.+)$/, (_q, r) => void r.end());
    const doc = openApiDocument(app, '1.0.0') as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/v1/config']!)).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/v1/config/paths/{name}']!)).toEqual(['post', 'patch']);
    expect(sampleUrl('/api/v1/config/paths/{name}')).toBe('/api/v1/config/paths/cams/door');
  });
});
