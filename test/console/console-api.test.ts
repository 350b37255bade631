/**
 * The console's additive API routes and its static pages:
 * GET /v1/me, GET /v1/me/plugins, GET /v1/plugins/:name/versions/:version/files
 * (the tarball route's visibility, size caps), and /console's security headers.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONSOLE_CSP } from '../../host/console/console-headers.js';
import { VersionFileReader } from '../../host/console/version-files.js';
import { SYSTEM_ACTOR } from '../../marketplace/actor.js';
import { backends, useDatabase } from '../support/database-backends.js';
import type { TestHost } from '../support/test-host.js';
import { bearer, createCast, packageOf, pluginPath, publish, startMarketplaceHost, type Cast } from '../host/marketplace/marketplace-host.js';

const HOSTILE = 'export function hello() { return { html: "<script>alert(1)</script>" }; }\n';

for (const backend of backends) {
  describe(`console API (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    let cast: Cast;

    before(async () => {
      host = await startMarketplaceHost(database.current);
      cast = await createCast(host);
      await publish(host, cast.acme, packageOf({ name: '@acme/hello' }, { 'index.js': HOSTILE, 'lib/util.js': 'export const x = 1;\n' })).expect(201);
    });
    after(() => host?.close());

    describe('GET /v1/me', () => {
      it('should answer the key tenant and scopes', async () => {
        const res = await host.http().get('/v1/me').set(bearer(cast.acme)).expect(200);
        assert.equal(res.body.tenant.slug, 'acme');
        assert.deepEqual(res.body.scopes, ['plugins:publish']);
        assert.equal(typeof res.body.keyId, 'string');
      });

      it('should answer 401 unauthorized without a key or with a bad one', async () => {
        assert.equal((await host.http().get('/v1/me').expect(401)).body.error.code, 'unauthorized');
        const bad = await host.http().get('/v1/me').set(bearer('bzr_ffffffffffffffffffffffffffffffff')).expect(401);
        assert.equal(bad.body.error.code, 'unauthorized');
      });
    });

    describe('GET /v1/plugins/:name/versions/:version/files', () => {
      const files = (key: string) => host.http().get(pluginPath('@acme/hello', 'versions', '1.0.0', 'files')).set(bearer(key));

      it('should list every file as text, manifest first, to the publisher and reviewers', async () => {
        for (const key of [cast.acme, cast.reviewer, host.adminKey]) {
          const res = await files(key).expect(200).expect('Content-Type', /application\/json/);
          assert.deepEqual(res.body.files.map((f: { path: string }) => f.path), ['manifest.json', 'index.js', 'lib/util.js']);
          const index = res.body.files[1];
          assert.equal(index.content, HOSTILE);
          assert.equal(index.bytes, Buffer.byteLength(HOSTILE));
          assert.equal(index.truncated, false);
          assert.equal(res.body.truncated, false);
          assert.match(res.body.sha256, /^[0-9a-f]{64}$/);
        }
      });

      it('should answer 404 to other tenants while the version is pending, as the tarball route does', async () => {
        assert.equal((await files(cast.globex).expect(404)).body.error.code, 'not_found');
        await host.http().get(pluginPath('@acme/hello', 'versions', '1.0.0', 'tarball')).set(bearer(cast.globex)).expect(404);
        assert.equal((await host.http().get(pluginPath('@acme/hello', 'versions', '9.9.9', 'files')).set(bearer(cast.acme)).expect(404)).body.error.code, 'not_found');
        assert.equal((await host.http().get(pluginPath('@acme/hello', 'versions', '1.0.0', 'files')).expect(401)).body.error.code, 'unauthorized');
      });

      it('should cap file contents and say so', async () => {
        const reader = new VersionFileReader({
          catalog: host.deps.marketplace.catalog,
          packageLimits: host.deps.marketplace.options.packageLimits,
          caps: { maxFileChars: 10, maxTotalChars: 25 },
        });
        const answer = await reader.read(SYSTEM_ACTOR, '@acme/hello', '1.0.0');
        assert.equal(answer.truncated, true);
        assert.deepEqual(answer.files.map((f) => f.content.length), [10, 10, 5]);
        assert.ok(answer.files.every((f) => f.truncated));
      });
    });

    describe('GET /v1/me/plugins', () => {
      it('should list the publisher own plugins with every version status', async () => {
        const mine = await host.http().get('/v1/me/plugins').set(bearer(cast.acme)).expect(200);
        assert.deepEqual(mine.body.items.map((p: { name: string }) => p.name), ['@acme/hello']);
        assert.equal(mine.body.items[0].versions[0].status, 'pending_review');
        const others = await host.http().get('/v1/me/plugins').set(bearer(cast.globex)).expect(200);
        assert.deepEqual(others.body.items, []);
      });

      it('should read plugins through the marketplace catalog: no console module touches knex', () => {
        const dir = path.resolve(import.meta.dirname, '../../../host/console');
        for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
          const source = readFileSync(path.join(dir, file), 'utf8');
          assert.doesNotMatch(source, /from 'knex'|\bdeps\.db\b|'db'/, file);
        }
      });
    });

    describe('/console', () => {
      it('should serve the page with a strict CSP, nosniff and no framing, without a key', async () => {
        for (const path of ['/console', '/console/']) {
          const res = await host.http().get(path).expect(200).expect('Content-Type', /text\/html/);
          assert.equal(res.headers['content-security-policy'], CONSOLE_CSP);
          assert.match(CONSOLE_CSP, /default-src 'self'/);
          assert.match(CONSOLE_CSP, /frame-ancestors 'none'/);
          assert.doesNotMatch(CONSOLE_CSP, /unsafe-inline|unsafe-eval/);
          assert.equal(res.headers['x-content-type-options'], 'nosniff');
          assert.equal(res.headers['x-frame-options'], 'DENY');
          assert.ok(res.headers['x-request-id']);
          // No inline script: every <script> has a src.
          assert.doesNotMatch(res.text, /<script(?![^>]*\bsrc=)[^>]*>/);
          assert.doesNotMatch(res.text, /\son[a-z]+=/i);
        }
      });

      it('should serve the assets with their types and ETags, and 404 anything else', async () => {
        const js = await host.http().get('/console/assets/app.js').expect(200).expect('Content-Type', /text\/javascript/);
        assert.equal(js.headers['x-content-type-options'], 'nosniff');
        await host.http().get('/console/assets/app.js').set('If-None-Match', js.headers.etag!).expect(304);
        await host.http().get('/console/assets/console.css').expect(200).expect('Content-Type', /text\/css/);
        for (const path of ['/console/assets/missing.js', '/console/assets/..%2Fconsole-routes.ts', '/console/assets/%2e%2e%2fpackage.json', '/console/assets/App.JS']) {
          const res = await host.http().get(path).expect(404);
          assert.equal(res.body.error.code, 'not_found');
        }
      });

      it('should never use innerHTML-like sinks in its scripts', async () => {
        for (const name of ['app.js', 'api.js', 'dom.js', 'ui.js', 'review.js', 'marketplace.js', 'installs.js', 'usage.js', 'publisher.js', 'chart.js', 'session.js']) {
          const res = await host.http().get(`/console/assets/${name}`).expect(200);
          const code = res.text.replace(/^\s*\/\/.*$/gm, '');
          assert.doesNotMatch(code, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/, name);
        }
      });
    });
  });
}
