/**
 * `GET /docs`, the readable API reference, over real HTTP (the test host's app
 * in an http.Server on a loopback port): the page references only files of
 * this origin, each of them answers 200 with its type and caching, the page
 * carries a CSP without inline script, and nothing else is served under
 * `/docs/assets/`. Then, in headless Chromium (skipped on a laptop without
 * it, failed in CI), the page renders the operations of `/openapi.json`
 * under that CSP without a violation or a request to another origin.
 */
import assert from 'node:assert/strict';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { backends, useDatabase } from '../../support/database-backends.js';
import { inCi } from '../../support/suite-backend.js';
import { startTestHost, type TestHost } from '../../support/test-host.js';

const CHROMIUM = process.env.BAZAAR_CHROMIUM ?? '/usr/bin/chromium';
const backend = backends[0]!;

/** The `src` and `href` values of the page's tags. */
function references(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
}

describe(`GET /docs over HTTP (${backend.name})`, function () {
  this.timeout(60_000);
  const database = useDatabase(backend);
  let host: TestHost;
  let server: Server;
  let base: string;

  before(async () => {
    host = await startTestHost(database.current);
    server = createServer(host.app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await host.close();
  });

  it('should answer an HTML page that references only same-origin files, under a CSP without inline script', async () => {
    const res = await fetch(`${base}/docs`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    const html = await res.text();
    assert.doesNotMatch(html, /https?:\/\//, 'no absolute URL in the page');
    assert.doesNotMatch(html, /<script>|<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i, 'no inline script or style');
    const refs = references(html);
    assert.ok(refs.some((r) => r.includes('swagger-ui-bundle.js')) && refs.some((r) => r.includes('swagger-ui.css')), refs.join(' '));
    for (const ref of refs) assert.match(ref, /^\/(?!\/)/, `${ref} is a path of this origin`);

    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /default-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    // node:http, not fetch: fetch adds `Cache-Control: no-cache` to a conditional request, which forbids a 304.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      get(`${base}/docs`, { headers: { 'If-None-Match': res.headers.get('etag')! } }, (answer) => {
        answer.resume();
        resolve(answer.statusCode);
      }).on('error', reject);
    });
    assert.equal(status, 304);
  });

  it('should answer every file the page references with its content type, vendor files cached for a year', async () => {
    const html = await (await fetch(`${base}/docs`)).text();
    const types: Record<string, RegExp> = { js: /^text\/javascript; charset=utf-8$/, css: /^text\/css; charset=utf-8$/, png: /^image\/png$/ };
    const refs = references(html).filter((r) => r.startsWith('/docs/assets/'));
    assert.equal(refs.length, 4, refs.join(' '));
    for (const ref of refs) {
      const res = await fetch(`${base}${ref}`);
      assert.equal(res.status, 200, ref);
      const extension = new URL(ref, base).pathname.split('.').pop()!;
      assert.match(res.headers.get('content-type') ?? '', types[extension]!, ref);
      const body = Buffer.from(await res.arrayBuffer());
      assert.ok(body.length > 0, ref);
      assert.ok(res.headers.get('etag'), ref);
      if (ref.includes('?v=')) assert.match(res.headers.get('cache-control') ?? '', /^public, max-age=31536000, immutable$/, ref);
      else assert.equal(res.headers.get('cache-control'), 'no-cache', ref);
    }
    // The bundle is Swagger UI's, and the init script points it at this host's document.
    const bundle = await (await fetch(`${base}${refs.find((r) => r.includes('bundle'))!}`)).text();
    assert.ok(bundle.length > 500_000 && bundle.includes('SwaggerUIBundle'), 'the real bundle');
    const init = await (await fetch(`${base}/docs/assets/docs-init.js`)).text();
    assert.match(init, /url: '\/openapi\.json'/);
    assert.match(init, /validatorUrl: null/);
  });

  it('should serve nothing else under /docs/assets/', async () => {
    for (const name of ['index.html', 'swagger-initializer.js', 'package.json', '..%2Fpackage.json', 'constructor', 'swagger-ui.js.map']) {
      const res = await fetch(`${base}/docs/assets/${name}`);
      assert.equal(res.status, 404, name);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not_found', name);
    }
  });

  describe('in Chromium', function () {
    let browser: Browser | null = null;

    before(async function () {
      try {
        browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      } catch (err) {
        if (inCi) throw new Error(`Chromium could not start in CI (${CHROMIUM}): ${(err as Error).message}`);
        console.warn(`  (skipping the /docs browser test: Chromium could not start at ${CHROMIUM})`);
        this.skip();
      }
    });
    after(async () => {
      await browser?.close();
    });

    it('should render the operations of /openapi.json under the CSP, asking no other origin for anything', async () => {
      const page = await browser!.newPage();
      const problems: string[] = [];
      const foreign: string[] = [];
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
      });
      page.on('request', (req) => {
        if (!req.url().startsWith(`${base}/`) && !req.url().startsWith('data:')) foreign.push(req.url());
      });
      await page.goto(`${base}/docs`);
      await page.waitForSelector('.opblock-summary-path', { timeout: 30_000 });
      const paths = await page.$$eval('.opblock-summary-path', (nodes) => nodes.map((n) => n.getAttribute('data-path')));
      assert.ok(paths.includes('/v1/installs/{id}/executions'), `rendered ${paths.length} operations`);
      assert.ok(paths.includes('/docs'), 'the page describes itself');
      assert.deepEqual({ problems, foreign }, { problems: [], foreign: [] });
      await page.close();
    });
  });
});
