/**
 * The request log: one pino JSON line per finished request, with who asked
 * (tenant and API key) when the request authenticated, and the machine traffic
 * (health probes, metric scrapes) below info so it never floods the log.
 */
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Koa from 'koa';
import supertest from 'supertest';
import { requestLog } from '../../../host/edge/request-log.js';
import { createLogger } from '../../../host/foundation/logger.js';
import type { AppState } from '../../../host/foundation/app-state.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import { bearer, createKey, createTenant, startTestHost, type TestHost } from '../../support/test-host.js';

type Line = Record<string, unknown>;

const DEBUG = 20;
const INFO = 30;

/** The request line of `requestId` in `lines` (it is written when the response finishes: wait a few turns for it). */
async function requestLine(lines: readonly string[], requestId: unknown): Promise<Line> {
  for (let turn = 0; turn < 50; turn++) {
    const line = lines.map((l) => JSON.parse(l) as Line).find((l) => l.msg === 'request' && l.requestId === requestId);
    if (line !== undefined) return line;
    await nextTurn();
  }
  return assert.fail(`no request line for ${String(requestId)}`);
}

for (const backend of backends.slice(0, 1)) {
  describe(`edge: request log (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    let tenant: { id: string };
    let key: { id: string; key: string };
    before(async () => {
      host = await startTestHost(database.current);
      tenant = await createTenant(host, { slug: 'logged' });
      key = await createKey(host, tenant.id, ['plugins:install']);
    });
    after(() => host.close());

    it("should log an authenticated request at info with pino's fields and its tenant and key", async () => {
      const res = await host.http().get('/v1/installs?secret=query').set(bearer(key.key));
      assert.equal(res.status, 200);
      const line = await requestLine(host.logs, res.headers['x-request-id']);
      assert.equal(line.level, INFO);
      assert.equal(typeof line.time, 'number');
      assert.equal(line.pid, process.pid);
      assert.equal(typeof line.hostname, 'string');
      assert.equal(line.method, 'GET');
      assert.equal(line.path, '/v1/installs');
      assert.equal(line.status, 200);
      assert.equal(typeof line.durationMs, 'number');
      assert.equal(line.tenantId, tenant.id);
      assert.equal(line.apiKeyId, key.id);
      assert.doesNotMatch(JSON.stringify(line), /secret|bzr_/);
    });

    it('should log an anonymous request without tenant or key', async () => {
      const res = await host.http().get('/v1/installs');
      assert.equal(res.status, 401);
      const line = await requestLine(host.logs, res.headers['x-request-id']);
      assert.equal(line.status, 401);
      assert.equal(line.level, INFO);
      assert.equal('tenantId' in line, false);
      assert.equal('apiKeyId' in line, false);
    });

    it('should log health probes and metric scrapes at debug', async () => {
      for (const [path, status] of [['/healthz', 200], ['/readyz', 200], ['/metrics', 200]] as const) {
        const res = await host.http().get(path).set(bearer(host.adminKey));
        assert.equal(res.status, status, path);
        const line = await requestLine(host.logs, res.headers['x-request-id']);
        assert.equal(line.level, DEBUG, path);
        assert.equal(line.path, path);
      }
    });
  });
}

describe('edge: request log at the info level', () => {
  it('should drop probes and keep other requests', async () => {
    const lines: string[] = [];
    const app = new Koa<AppState>();
    let next = 0;
    app.use(async (ctx, nextMiddleware) => {
      ctx.state.requestId = `req-${++next}`;
      await nextMiddleware();
    });
    app.use(requestLog(createLogger({ level: 'info', write: (l) => lines.push(l) }), { httpRequest: () => undefined }));
    app.use((ctx) => {
      ctx.body = 'ok';
    });
    const http = supertest(app.callback());
    for (const path of ['/healthz', '/readyz', '/metrics', '/v1/tenants']) assert.equal((await http.get(path)).status, 200);
    const logged = await requestLine(lines, 'req-4');
    assert.equal(logged.path, '/v1/tenants');
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as Line).path), ['/v1/tenants']);
  });
});
