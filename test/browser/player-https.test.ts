// The web player from a host name other than localhost: over http:// it is not a secure context (no WebCodecs, as for a remote viewer), over https:// with the test's certificate trusted it plays through wss://; hls.js plays over HTTPS.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { waitFor } from '../helpers/read.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testPage } from '../helpers/test-page.js';
import { makeTestCert, type TestCert } from '../helpers/tls-cert.js';
import { publishSample, waitPlaylist, type Publisher } from '../http/hls-source.js';
import { servePage, type PageSample, type PageServer } from './hls-page.js';
import { buildPlayer, waitStats } from './player-page.js';

/** A name the browser maps to 127.0.0.1: not localhost, so only TLS makes its pages a secure context. */
const HOST = 'tidecast.test';
let cert: TestCert;
let srv: TestServer;
let browser: Browser;
let pub: Publisher;
let hlsPage: PageServer;
const LIVE = 'live/https';

beforeAll(async () => {
  buildPlayer();
  cert = await makeTestCert(HOST, [HOST]);
  srv = await startTestServer({ serverCert: cert.cert, serverKey: cert.key, rtspsPort: 0, httpsPort: 0 });
  // Chromium trusts exactly the test's key (as a user importing the certificate would), nothing else.
  browser = await launchBrowser([`--host-resolver-rules=MAP ${HOST} 127.0.0.1`, `--ignore-certificate-errors-spki-list=${cert.spki}`]);
  pub = publishSample(srv, LIVE);
  hlsPage = await servePage();
  await waitPlaylist(srv.httpUrl(`${LIVE}/index.m3u8`), 45_000);
});
afterAll(async () => {
  await browser?.close();
  await hlsPage?.close();
  pub?.stop();
  await srv?.close();
  cert?.remove();
});

const page = async (url: string, log: string[]): Promise<Page> => {
  const p = await testPage(browser, log);
  await p.goto(url);
  return p;
};

describe('the web player', () => {
  it('over http:// from another host the page is no secure context: no WebCodecs', async () => {
    const log: string[] = [];
    const p = await page(`http://${HOST}:${srv.httpPort}/player/?src=sample.mp4`, log);
    expect(await p.evaluate('[window.isSecureContext, typeof VideoDecoder]')).toEqual([false, 'undefined']);
  });

  it('a browser that does not trust the certificate refuses the https:// page', async () => {
    const untrusting = await launchBrowser([`--host-resolver-rules=MAP ${HOST} 127.0.0.1`]);
    try {
      const p = await untrusting.newPage();
      await expect(p.goto(`https://${HOST}:${srv.httpsPort}/player/`)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await untrusting.close();
    }
  });

  it('over https:// it plays a file and a live path through wss://', async () => {
    for (const src of ['sample.mp4', LIVE]) {
      const log: string[] = [];
      const sockets: string[] = [];
      const p = await testPage(browser, log);
      p.on('websocket', (ws) => sockets.push(ws.url()));
      await p.goto(`https://${HOST}:${srv.httpsPort}/player/?src=${encodeURIComponent(src)}`);
      expect(await p.evaluate('window.isSecureContext')).toBe(true);
      const s = await waitStats(p, (x) => (x.framesShown ?? 0) > 30 && (x.audioFramesDecoded ?? 0) > 30, log, 60_000, `${src} playing over https:// and wss://`);
      expect(s.state, log.join('\n')).toBe('playing');
      expect(s.mode).toBe('ws');
      expect(sockets.length, log.join('\n')).toBeGreaterThan(0);
      for (const u of sockets) expect(u).toMatch(new RegExp(`^wss://${HOST.replace('.', '\\.')}:${srv.httpsPort}/rtsp`));
    }
  }, 150_000);
});

describe('hls.js', () => {
  it('plays live LL-HLS over HTTPS', async () => {
    const log: string[] = [];
    const p = await page(hlsPage.pageUrl(`https://${HOST}:${srv.httpsPort}/${LIVE}/index.m3u8`), log);
    let last: PageSample | undefined;
    let first: PageSample | undefined;
    await waitFor(
      async () => {
        last = (await p.evaluate('window.sample()')) as PageSample;
        if (last.fatal) throw new Error(`hls.js fatal error ${last.fatal}\n${log.join('\n')}`);
        if (first === undefined && last.currentTime > 0) first = last;
        return first !== undefined && last.currentTime - first.currentTime > 3 && last.decoded > 60;
      },
      90_000,
      '3 s of live HLS played over HTTPS',
    ).catch((e: Error) => {
      throw new Error(`${e.message}\nlast: ${JSON.stringify(last)}\n${log.join('\n')}`);
    });
    expect(last!.fatal).toBeNull();
  }, 150_000);
});
