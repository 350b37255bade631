/**
 * Operator bootstrap and the server's lifecycle.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { isBazaarError } from '../../../manifests/errors.js';
import { hashApiKey } from '../../../host/tenants/api-key-secret.js';
import { bootstrapOperator } from '../../../host/tenants/bootstrap-operator.js';
import { buildDeps } from '../../../host/wiring/build-deps.js';
import { loadConfig } from '../../../host/foundation/config.js';
import { createLogger, silentLogger } from '../../../host/foundation/logger.js';
import { startServer } from '../../../host/wiring/server.js';
import { migrateLatest } from '../../../host/foundation/database/database.js';
import { backends, TEST_ADMIN_KEY, useDatabase } from '../../support/database-backends.js';

for (const backend of backends) {
  describe(`bootstrapOperator (${backend.name})`, () => {
    // No BAZAAR_ADMIN_KEY: the first start generates one.
    const database = useDatabase(backend, { BAZAAR_ADMIN_KEY: '' });

    const depsOn = async (config = database.current.config) => {
      const db = await database.current.openAnother();
      return buildDeps({ config, db, logger: silentLogger });
    };

    it('should create exactly one admin key when several processes start at once', async () => {
      const starters = await Promise.all([depsOn(), depsOn(), depsOn()]);
      // Migrations racing too: all must succeed.
      await Promise.all(starters.map((d) => migrateLatest(d.db, d.db.client.config.searchPath?.[0])));
      const results = await Promise.all(starters.map((d) => bootstrapOperator(d)));
      const generated = results.map((r) => r.generatedKey).filter((k): k is string => k !== null);
      assert.equal(generated.length, 1);
      assert.match(generated[0] ?? '', /^bzr_[0-9a-f]{32}$/);
      assert.equal(new Set(results.map((r) => r.operator.id)).size, 1);
      const deps = starters[0]!;
      const found = await deps.repositories.apiKeys.findCredential(hashApiKey(generated[0] ?? ''));
      assert.deepEqual(found?.key.scopes, ['admin']);
      assert.equal(found?.tenant.slug, 'operator');
      await Promise.all(starters.map((d) => d.lastUsed.stop()));
    });

    it('should not print a key again on restart', async () => {
      const deps = await depsOn();
      assert.equal((await bootstrapOperator(deps)).generatedKey, null);
      await deps.lastUsed.stop();
    });

    it('should register BAZAAR_ADMIN_KEY idempotently, and warn when it was revoked', async () => {
      const config = { ...database.current.config, adminKey: TEST_ADMIN_KEY };
      const lines: string[] = [];
      const deps = buildDeps({ config, db: await database.current.openAnother(), logger: createLogger({ level: 'warn', write: (l) => lines.push(l) }) });
      await bootstrapOperator(deps);
      await bootstrapOperator(deps);
      const rows = await deps.db('api_keys').where({ key_hash: hashApiKey(TEST_ADMIN_KEY) });
      assert.equal(rows.length, 1);
      assert.equal(lines.length, 0);
      await deps.repositories.apiKeys.revoke(rows[0].id, new Date());
      await bootstrapOperator(deps);
      assert.equal(lines.length, 1);
      await deps.lastUsed.stop();
    });
  });
}

describe('startServer', () => {
  it('should start on embedded storage, print the generated key once, and stop gracefully', async () => {
    const printed: string[] = [];
    const config = loadConfig({ PORT: '0', BAZAAR_DATA_DIR: 'memory://' });
    const running = await startServer(config, { logger: silentLogger, print: (l) => printed.push(l), handleSignals: false });
    assert.ok(running.server.listening);
    assert.equal(printed.length, 1);
    assert.match(printed[0] ?? '', /bzr_[0-9a-f]{32}/);
    await Promise.all([running.close(), running.close()]);
    assert.equal(running.server.listening, false);
    await assert.rejects(running.deps.db.raw('select 1'));
  });

  it('should listen on BAZAAR_BIND_ADDRESS and answer there', async () => {
    const config = loadConfig({ PORT: '0', BAZAAR_DATA_DIR: 'memory://', BAZAAR_BIND_ADDRESS: '127.0.0.1' });
    const running = await startServer(config, { logger: silentLogger, print: () => undefined, handleSignals: false });
    try {
      assert.equal((running.server.address() as AddressInfo).address, '127.0.0.1');
      const res = await fetch(`${running.url}/healthz`);
      assert.equal(res.status, 200);
    } finally {
      await running.close();
    }
  });

  it('should refuse a busy port in one line, before printing any new admin key', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const { port } = squatter.address() as AddressInfo;
    const printed: string[] = [];
    try {
      const config = loadConfig({ PORT: String(port), BAZAAR_DATA_DIR: 'memory://', BAZAAR_BIND_ADDRESS: '127.0.0.1' });
      await assert.rejects(startServer(config, { logger: silentLogger, print: (l) => printed.push(l), handleSignals: false }), (err: unknown) => {
        assert.ok(isBazaarError(err), 'a BazaarError: the CLI prints its message alone');
        assert.match(err.message, new RegExp(`port ${port}: the port is in use`));
        return true;
      });
      assert.deepEqual(printed, [], 'no admin key printed for a host that never started');
    } finally {
      squatter.close();
    }
  });

  it('should fail clearly and release everything when the database is unreachable', async () => {
    const config = loadConfig({ PORT: '0', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    await assert.rejects(startServer(config, { logger: silentLogger, handleSignals: false }), /ECONNREFUSED/);
  });
});

