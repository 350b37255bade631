/**
 * The HTTP shell: request ids, error shapes, body limits, hostile input, the
 * plugin-name path parameter and the operations endpoints.
 */
import assert from 'node:assert/strict';
import Router from '@koa/router';
import supertest from 'supertest';
import type { AppContext, AppState } from '../../../host/foundation/app-state.js';
import { createApp } from '../../../host/wiring/app.js';
import { buildDeps } from '../../../host/wiring/build-deps.js';
import { loadConfig } from '../../../host/foundation/config.js';
import { silentLogger } from '../../../host/foundation/logger.js';
import { pathParam, pluginNameParam } from '../../../host/edge/params.js';
import { createDatabase } from '../../../host/foundation/database/database.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import { bearer, startTestHost, type TestHost } from '../../support/test-host.js';

const LIMIT = 4096;

for (const backend of backends) {
  describe(`host/app (${backend.name})`, () => {
    const database = useDatabase(backend, { BAZAAR_JSON_BODY_LIMIT_BYTES: String(LIMIT) });
    let host: TestHost;

    before(async () => {
      host = await startTestHost(database.current);
      // Test-only routes, mounted after the real ones, inside the same middleware chain.
      const router = new Router<AppState, AppContext>();
      router.param('name', pluginNameParam);
      router.get('/v1/test-plugins/:name', async function echo(ctx) {
        ctx.body = { name: pathParam(ctx, 'name') };
      });
      router.get('/v1/test-crash', async function crash() {
        throw new Error(`secret at ${process.cwd()}/host/secret.ts`);
      });
      router.get('/v1/test-throw-string', async function throwString() {
        throw 'a string, not an Error'; // eslint-disable-line no-throw-literal
      });
      host.app.use(router.routes() as never);
    });
    after(() => host.close());

    describe('request ids', () => {
      it('should put X-Request-Id on successes and on every kind of error', async () => {
        const responses = await Promise.all([
          host.http().get('/healthz'),
          host.http().get('/v1/nowhere'),
          host.http().get('/v1/tenants'),
          host.http().post('/v1/tenants').set(bearer(host.adminKey)).type('json').send('{'),
          host.http().get('/v1/test-crash'),
        ]);
        for (const res of responses) {
          assert.match(res.headers['x-request-id'] ?? '', /^[A-Za-z0-9._:-]{8,128}$/);
          if (res.status >= 400) assert.equal(res.body.requestId, res.headers['x-request-id']);
        }
      });

      it('should keep a sane incoming id and replace a hostile one', async () => {
        const kept = await host.http().get('/healthz').set('X-Request-Id', 'lb-1234567890');
        assert.equal(kept.headers['x-request-id'], 'lb-1234567890');
        for (const bad of ['a b c d e f g h', 'x'.repeat(500), '"><script>', 'short']) {
          const res = await host.http().get('/healthz').set('X-Request-Id', bad);
          assert.notEqual(res.headers['x-request-id'], bad);
        }
      });

      it('should log one line per request with method, path, status, durationMs and requestId', async () => {
        const res = await host.http().get('/v1/nowhere?token=secret');
        const line = host.logs
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => l.msg === 'request' && l.requestId === res.headers['x-request-id']);
        assert.ok(line);
        assert.equal(line.method, 'GET');
        assert.equal(line.path, '/v1/nowhere');
        assert.equal(line.status, 404);
        assert.equal(typeof line.durationMs, 'number');
      });
    });

    describe('errors', () => {
      it('should answer unknown routes with 404 not_found JSON', async () => {
        const res = await host.http().get('/v1/nowhere');
        assert.equal(res.status, 404);
        assert.equal(res.body.error.code, 'not_found');
      });

      it('should answer unexpected errors with a bare 500 internal_error and log them', async () => {
        const res = await host.http().get('/v1/test-crash');
        assert.equal(res.status, 500);
        assert.equal(res.body.error.code, 'internal_error');
        assert.equal(res.body.error.details, undefined);
        assert.doesNotMatch(res.text, /secret|stack|\.ts|\/host\/|at /);
        assert.ok(host.logs.some((l) => l.includes('request failed') && l.includes('secret at')));
        const str = await host.http().get('/v1/test-throw-string');
        assert.equal(str.status, 500);
        assert.equal(str.body.error.code, 'internal_error');
      });

      it('should not log client errors', async () => {
        const before = host.logs.filter((l) => l.includes('"level":50')).length;
        await host.http().get('/v1/tenants').set(bearer('bzr_ffffffffffffffffffffffffffffffff'));
        assert.equal(host.logs.filter((l) => l.includes('"level":50')).length, before);
      });
    });

    describe('bodies', () => {
      const post = () => host.http().post('/v1/tenants').set(bearer(host.adminKey));

      it('should refuse malformed JSON with 400 invalid_request', async () => {
        for (const text of ['{', '{"name": }', 'nul', '[1,]']) {
          const res = await post().type('json').send(text);
          assert.equal(res.status, 400, text);
          assert.equal(res.body.error.code, 'invalid_request');
        }
      });

      it('should refuse prototype-poisoning keys with 400 invalid_request', async () => {
        for (const text of [
          '{"name":"x","slug":"proto-a","ownerEmail":"a@b.co","__proto__":{"admin":true}}',
          '{"name":"x","slug":"proto-b","ownerEmail":"a@b.co","constructor":{"prototype":{"admin":true}}}',
          '{"name":{"__proto__":{"x":1}},"slug":"proto-c","ownerEmail":"a@b.co"}',
        ]) {
          const res = await post().type('json').send(text);
          assert.equal(res.status, 400, text);
          assert.equal(res.body.error.code, 'invalid_request');
        }
        assert.equal(({} as Record<string, unknown>).admin, undefined);
      });

      it('should refuse bodies over the limit with 413 payload_too_large (declared or streamed)', async () => {
        const big = JSON.stringify({ name: 'x'.repeat(LIMIT), slug: 'too-big', ownerEmail: 'a@b.co' });
        const declared = await post().type('json').send(big);
        assert.equal(declared.status, 413);
        assert.equal(declared.body.error.code, 'payload_too_large');
        assert.equal(declared.body.requestId, declared.headers['x-request-id']);
        // No Content-Length: raw-body counts as it reads.
        const streamed = await new Promise<supertest.Response>((resolve, reject) => {
          const req = post().type('json');
          req.write(big.slice(0, LIMIT));
          req.write(big.slice(LIMIT));
          req.end((err: unknown, res: supertest.Response) => (res ? resolve(res) : reject(err)));
        });
        assert.equal(streamed.status, 413);
        assert.equal(streamed.body.error.code, 'payload_too_large');
      });

      it('should refuse wrong content types, charsets and encodings with 400 invalid_request', async () => {
        const body = JSON.stringify({ name: 'x', slug: 'ctype', ownerEmail: 'a@b.co' });
        const cases = [
          post().type('text/plain').send(body),
          post().type('form').send('name=x&slug=ctype&ownerEmail=a%40b.co'),
          post().set('Content-Type', 'application/json; charset=latin1').send(body),
          post().type('json').set('Content-Encoding', 'gzip').send(body),
          post(),
        ];
        for (const res of await Promise.all(cases)) {
          assert.equal(res.status, 400);
          assert.equal(res.body.error.code, 'invalid_request');
        }
      });

      it('should refuse non-object JSON and wrong types with 400 invalid_request', async () => {
        for (const body of [[], 'text', 42, null, { name: 5, slug: 'types', ownerEmail: 'a@b.co' }]) {
          const res = await post().type('json').send(JSON.stringify(body));
          assert.equal(res.status, 400, JSON.stringify(body));
          assert.equal(res.body.error.code, 'invalid_request');
        }
      });
    });

    describe('headers', () => {
      it('should answer a huge bogus Authorization header with 401 unauthorized', async () => {
        const res = await host.http().get('/v1/tenants').set('Authorization', `Bearer ${'a'.repeat(8000)}`);
        assert.equal(res.status, 401);
        assert.equal(res.body.error.code, 'unauthorized');
      });

      it('should answer malformed Authorization headers with 401 unauthorized', async () => {
        for (const value of ['Basic abc', 'Bearer', `Bearer ${host.adminKey} extra`, `Token ${host.adminKey}`]) {
          const res = await host.http().get('/v1/tenants').set('Authorization', value);
          assert.equal(res.status, 401, value);
          assert.equal(res.body.error.code, 'unauthorized');
          assert.equal(res.headers['www-authenticate'], 'Bearer');
        }
        const lower = await host.http().get('/v1/tenants').set('Authorization', `bearer ${host.adminKey}`);
        assert.equal(lower.status, 200);
      });
    });

    describe('plugin names in paths', () => {
      it('should accept URL-encoded scoped names and decode them', async () => {
        const res = await host.http().get('/v1/test-plugins/%40acme%2Fslugify');
        assert.equal(res.status, 200);
        assert.equal(res.body.name, '@acme/slugify');
      });

      it('should answer 404 for unencoded, malformed or invalid names', async () => {
        for (const path of ['/v1/test-plugins/@acme/slugify', '/v1/test-plugins/%E0%A4%A', '/v1/test-plugins/%40ACME%2Fx']) {
          const res = await host.http().get(path);
          assert.equal(res.status, 404, path);
          assert.equal(res.body.error.code, 'not_found');
        }
      });
    });

    describe('operations', () => {
      it('should answer /healthz and /readyz without a key', async () => {
        const health = await host.http().get('/healthz');
        assert.equal(health.status, 200);
        const ready = await host.http().get('/readyz');
        assert.equal(ready.status, 200);
        assert.equal(ready.body.checks.database, 'ok');
      });
    });
  });
}

describe('host/app with its database down', () => {
  it('should answer /readyz and authenticated requests with 503 dependency_unavailable', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    const db = createDatabase(config, { logger: silentLogger });
    const deps = buildDeps({ config, db, logger: silentLogger });
    try {
      const http = supertest(createApp(deps).callback());
      assert.equal((await http.get('/healthz')).status, 200);
      for (const res of [await http.get('/readyz'), await http.get('/v1/tenants').set(bearer('bzr_' + 'a'.repeat(32)))]) {
        assert.equal(res.status, 503);
        assert.equal(res.body.error.code, 'dependency_unavailable');
        assert.ok(res.headers['x-request-id']);
      }
    } finally {
      await deps.lastUsed.stop();
      await db.destroy();
    }
  });
});
