// External auth against a real HTTP service this test starts: the JSON it gets, 2xx allows and anything else refuses, the cache (simulated clock), its bound, and a service that is down or silent.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalAuth, type ExternalQuery } from '../../server/auth/external.js';

let service: Server;
let url: string;
const received: ExternalQuery[] = [];

/** Allows alice/secret anything but publish, anonymous reads of public/*; 403 otherwise; /silent never answers. */
beforeAll(async () => {
  service = createServer((req: IncomingMessage, res) => {
    if (req.url === '/silent') return; // holds the request open
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const q = JSON.parse(body) as ExternalQuery;
      received.push(q);
      const ok = (q.user === 'alice' && q.password === 'secret' && q.action !== 'publish') || (q.user === '' && q.action === 'read' && q.path.startsWith('public/')) || q.token === 'jwt-ok';
      res.writeHead(ok ? (q.path === 'nocontent' ? 204 : 200) : q.path === 'redirect' ? 302 : 403, { Location: '/elsewhere' });
      res.end(ok ? '{"ok":true}' : 'no');
    });
  });
  await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(service.address() as AddressInfo).port}/auth`;
});
afterAll(async () => {
  service.closeAllConnections();
  await new Promise((r) => service.close(r));
});

const q = (over: Partial<ExternalQuery>): ExternalQuery => ({ user: '', password: '', token: '', ip: '127.0.0.1', action: 'read', path: 'cams/door', protocol: 'rtsp', ...over });

describe('external auth', () => {
  it('POSTs the request as JSON; 2xx allows, anything else (403, a redirect) refuses', async () => {
    const ext = new ExternalAuth(url);
    received.length = 0;
    expect(await ext.ask(q({ user: 'alice', password: 'secret' }))).toEqual({ allowed: true });
    expect(received.at(-1)).toEqual({ user: 'alice', password: 'secret', token: '', ip: '127.0.0.1', action: 'read', path: 'cams/door', protocol: 'rtsp' });
    expect(await ext.ask(q({ user: 'alice', password: 'secret', path: 'nocontent' }))).toEqual({ allowed: true });
    expect(await ext.ask(q({ user: 'alice', password: 'wrong' }))).toEqual({ allowed: false });
    expect(await ext.ask(q({ user: 'alice', password: 'secret', action: 'publish' }))).toEqual({ allowed: false });
    expect(await ext.ask(q({ path: 'public/x', protocol: 'hls' }))).toEqual({ allowed: true });
    expect(await ext.ask(q({ path: 'redirect' }))).toEqual({ allowed: false });
    expect(await ext.ask(q({ token: 'jwt-ok' }))).toEqual({ allowed: true });
  });

  it('reuses an answer for ttlMs (simulated clock), then asks again; one request in flight per question', async () => {
    let now = 0;
    const ext = new ExternalAuth(url, { ttlMs: 5000, now: () => now });
    const a = q({ user: 'alice', password: 'secret' });
    const both = await Promise.all([ext.ask(a), ext.ask(a), ext.ask(a)]);
    expect(both).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }]);
    expect(ext.asked).toBe(1);
    now += 4999;
    await ext.ask(a);
    expect(await ext.ask(q({ user: 'alice', password: 'wrong' }))).toEqual({ allowed: false });
    expect(ext.asked).toBe(2);
    // Refusals are cached too: a wrong password costs the service one request per ttl.
    await ext.ask(q({ user: 'alice', password: 'wrong' }));
    expect(ext.asked).toBe(2);
    now += 2;
    await ext.ask(a);
    expect(ext.asked).toBe(3);
  });

  it('keeps at most maxEntries answers', async () => {
    const ext = new ExternalAuth(url, { maxEntries: 10 });
    for (let i = 0; i < 50; i++) await ext.ask(q({ path: `public/${i}` }));
    expect(ext.cached).toBe(10);
    expect(ext.asked).toBe(50);
  });

  it('says why when the service is down or does not answer in time; such failures are not cached', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const down = new ExternalAuth(`http://127.0.0.1:${closedPort}/auth`);
    const r = await down.ask(q({}));
    expect(r).toMatchObject({ error: expect.stringMatching(/ECONNREFUSED/) });
    expect(down.cached).toBe(0);
    const silent = new ExternalAuth(url.replace('/auth', '/silent'), { timeoutMs: 300 });
    expect(await silent.ask(q({}))).toEqual({ error: 'no answer within 0.3 s' });
    expect(silent.cached).toBe(0);
  });
});
