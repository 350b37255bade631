/**
 * The operations endpoints say no more than they must (issue "Harden the
 * edge", item 3): `/metrics` names every tenant's plugins, so it needs an
 * `admin` key or the operator's metrics token; `/readyz` names the dependency
 * that is down and nothing else (the cause goes to the log).
 */
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { ERROR_CATALOG } from '../../../manifests/errors.js';
import { createApp } from '../../../host/wiring/app.js';
import { buildDeps } from '../../../host/wiring/build-deps.js';
import { loadConfig } from '../../../host/foundation/config.js';
import { createLogger } from '../../../host/foundation/logger.js';
import { createDatabase } from '../../../host/foundation/database/database.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import { bearer, createKey, createTenant, startTestHost, type TestHost } from '../../support/test-host.js';

const METRICS_TOKEN = 'scrape-0123456789abcdef';

for (const backend of backends.slice(0, 1)) {
  describe(`edge: GET /metrics needs an admin key or the metrics token (${backend.name})`, () => {
    const database = useDatabase(backend, { BAZAAR_METRICS_TOKEN: METRICS_TOKEN });
    let host: TestHost;
    let tenantKey: string;
    before(async () => {
      host = await startTestHost(database.current);
      const tenant = await createTenant(host, { slug: 'curious' });
      tenantKey = (await createKey(host, tenant.id, ['plugins:install', 'plugins:execute', 'billing:read', 'webhooks:write'])).key;
    });
    after(() => host.close());

    it('should refuse anonymous callers, wrong tokens and tenant keys, without a byte of the metrics', async () => {
      const cases: [Record<string, string>, number, string][] = [
        [{}, 401, 'unauthorized'],
        [bearer('not-the-metrics-token-at-all'), 401, 'unauthorized'],
        [bearer(`${METRICS_TOKEN}x`), 401, 'unauthorized'],
        [{ Authorization: `Basic ${Buffer.from(`prometheus:${METRICS_TOKEN}`).toString('base64')}` }, 401, 'unauthorized'],
        [bearer(tenantKey), 403, 'forbidden'],
      ];
      for (const [headers, status, code] of cases) {
        const res = await host.http().get('/metrics').set(headers);
        assert.equal(res.status, status, JSON.stringify(headers));
        assert.equal(res.body.error.code, code);
        assert.doesNotMatch(res.text, /bazaar_/);
        if (status === 401) assert.equal(res.headers['www-authenticate'], 'Bearer');
      }
    });

    it('should answer the operator key and the metrics token as a bearer token', async () => {
      for (const key of [host.adminKey, METRICS_TOKEN]) {
        const res = await host.http().get('/metrics').set(bearer(key));
        assert.equal(res.status, 200);
        assert.match(String(res.headers['content-type']), /^text\/plain/);
        assert.match(res.text, /^bazaar_http_requests_total/m);
      }
    });
  });
}

describe('edge: /readyz with its database down', () => {
  it('should name the dependency that is down and nothing else, and log the cause', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://nobody:hunter2@127.0.0.1:1/secretdb' });
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (l) => lines.push(l) });
    const db = createDatabase(config, { logger });
    const deps = buildDeps({ config, db, logger });
    try {
      const res = await supertest(createApp(deps).callback()).get('/readyz');
      assert.equal(res.status, 503);
      assert.deepEqual(res.body, {
        error: { code: 'dependency_unavailable', message: ERROR_CATALOG.dependency_unavailable.message, details: { checks: { database: 'unavailable' } } },
        requestId: res.headers['x-request-id'],
      });
      assert.doesNotMatch(res.text, /127\.0\.0\.1|ECONNREFUSED|nobody|hunter2|secretdb|stack|at /);
      assert.ok(lines.some((l) => l.includes('readiness check failed') && l.includes('"dependency":"database"')), lines.join('\n'));
    } finally {
      await deps.lastUsed.stop();
      await db.destroy();
    }
  });
});
