/**
 * IdempotencyStore (claim, complete, replay, mismatch, expiry, abandon) on
 * every backend, plus the key check and the request fingerprint.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isBazaarError } from '../../../manifests/errors.js';
import { validateIdempotencyKey } from '../../../host/foundation/idempotency-key.js';
import { IdempotencyStore } from '../../../host/metering/idempotency-store.js';
import { IdempotencyKeyRepository } from '../../../host/metering/idempotency-repository.js';
import { requestFingerprint } from '../../../host/metering/request-fingerprint.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import { FakeClock } from '../../support/test-host.js';

const TTL_MS = 60_000;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return isBazaarError(err) ? err.code : String(err);
  }
}

describe('validateIdempotencyKey', () => {
  it('should accept 1 to 255 printable ASCII characters', () => {
    for (const key of ['a', 'order-42', 'x'.repeat(255), ' !~', randomUUID()]) assert.equal(validateIdempotencyKey(key), key);
  });

  it('should refuse anything else with invalid_request', () => {
    for (const key of ['', 'x'.repeat(256), 'caf\u00e9', 'tab\there', 'nul\u0000', 'new\nline', undefined, 42, ['a', 'b']]) {
      assert.equal(codeOf(() => validateIdempotencyKey(key)), 'invalid_request', JSON.stringify(key));
    }
  });
});

describe('requestFingerprint', () => {
  it('should ignore key order and tell apart method, path and body', () => {
    const base = requestFingerprint('POST', '/v1/installs', { plugin: '@a/b', config: { x: 1, y: [1, 2] } });
    assert.equal(requestFingerprint('post', '/v1/installs', { config: { y: [1, 2], x: 1 }, plugin: '@a/b' }), base);
    for (const other of [
      requestFingerprint('PUT', '/v1/installs', { plugin: '@a/b', config: { x: 1, y: [1, 2] } }),
      requestFingerprint('POST', '/v1/installs/x', { plugin: '@a/b', config: { x: 1, y: [1, 2] } }),
      requestFingerprint('POST', '/v1/installs', { plugin: '@a/b', config: { x: 1, y: [2, 1] } }),
      requestFingerprint('POST', '/v1/installs', { plugin: '@a/b', config: { x: '1', y: [1, 2] } }),
    ]) {
      assert.notEqual(other, base);
    }
  });

  it('should hash a body nested far deeper than the call stack', () => {
    const deep = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000)) as unknown;
    assert.match(requestFingerprint('POST', '/v1/x', deep), /^[0-9a-f]{64}$/);
  });
});

for (const backend of backends) {
  describe(`IdempotencyStore (${backend.name})`, () => {
    const database = useDatabase(backend);
    let clock: FakeClock;
    let store: IdempotencyStore;
    const tenant = randomUUID();

    beforeEach(() => {
      clock = new FakeClock(new Date('2031-01-01T00:00:00Z'));
      store = new IdempotencyStore({ keys: new IdempotencyKeyRepository(database.current.db), clock, ttlMs: TTL_MS });
    });

    it('should claim a new key, answer in_progress until completed, then replay the answer', async () => {
      const key = randomUUID();
      assert.deepEqual(await store.begin(tenant, key, 'fp'), { state: 'new' });
      assert.deepEqual(await store.begin(tenant, key, 'fp'), { state: 'in_progress' });
      const body = { executionId: 'e1', output: { list: [1, 'two', null], nested: { ok: true } }, logs: [] };
      await store.complete(tenant, key, 200, body);
      assert.deepEqual(await store.begin(tenant, key, 'fp'), { state: 'replay', status: 200, body });
    });

    it('should answer mismatch for the same key with another request', async () => {
      const key = randomUUID();
      await store.begin(tenant, key, 'fp-1');
      assert.deepEqual(await store.begin(tenant, key, 'fp-2'), { state: 'mismatch' });
      await store.complete(tenant, key, 201, { id: 1 });
      assert.deepEqual(await store.begin(tenant, key, 'fp-2'), { state: 'mismatch' });
    });

    it('should keep tenants apart: the same key of two tenants is two requests', async () => {
      const key = randomUUID();
      assert.equal((await store.begin(tenant, key, 'fp')).state, 'new');
      assert.equal((await store.begin(randomUUID(), key, 'other')).state, 'new');
    });

    it('should let exactly one of many concurrent begins claim a key, across connections', async () => {
      const key = randomUUID();
      const other = new IdempotencyStore({ keys: new IdempotencyKeyRepository(await database.current.openAnother()), clock, ttlMs: TTL_MS });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).begin(tenant, key, 'fp')));
      assert.equal(results.filter((r) => r.state === 'new').length, 1);
      assert.equal(results.filter((r) => r.state === 'in_progress').length, 19);
    });

    it('should treat an expired entry as absent and replace it (once, under concurrency)', async () => {
      const key = randomUUID();
      await store.begin(tenant, key, 'fp-old');
      await store.complete(tenant, key, 200, { first: true });
      clock.advance(TTL_MS - 1);
      assert.equal((await store.begin(tenant, key, 'fp-old')).state, 'replay');
      clock.advance(1);
      const results = await Promise.all(Array.from({ length: 6 }, () => store.begin(tenant, key, 'fp-new')));
      assert.equal(results.filter((r) => r.state === 'new').length, 1);
      assert.equal(results.filter((r) => r.state === 'in_progress').length, 5);
      await store.complete(tenant, key, 201, { second: true });
      assert.deepEqual(await store.begin(tenant, key, 'fp-new'), { state: 'replay', status: 201, body: { second: true } });
      clock.advance(TTL_MS);
      assert.equal(await store.purgeExpired() >= 1, true);
      assert.equal((await store.begin(tenant, key, 'fp-new')).state, 'new');
    });

    it('should let one request take over an expired lease whose execution never ran', async () => {
      const leased = new IdempotencyStore({ keys: new IdempotencyKeyRepository(database.current.db), clock, ttlMs: TTL_MS, leaseMs: 1_000 });
      const key = randomUUID();
      assert.deepEqual(await leased.begin(tenant, key, 'fp', { executionId: randomUUID() }), { state: 'new' });
      clock.advance(999);
      assert.deepEqual(await leased.begin(tenant, key, 'fp', { executionId: randomUUID() }), { state: 'in_progress' });
      clock.advance(1);
      const results = await Promise.all(Array.from({ length: 6 }, () => leased.begin(tenant, key, 'fp', { executionId: randomUUID() })));
      assert.equal(results.filter((r) => r.state === 'new').length, 1);
      assert.equal(results.filter((r) => r.state === 'in_progress').length, 5);
      assert.deepEqual(await leased.begin(tenant, key, 'other'), { state: 'mismatch' });
    });

    it('should answer executed for an expired lease whose execution is in the ledger', async () => {
      const leased = new IdempotencyStore({ keys: new IdempotencyKeyRepository(database.current.db), clock, ttlMs: TTL_MS, leaseMs: 1_000 });
      const key = randomUUID();
      const executionId = randomUUID();
      await leased.begin(tenant, key, 'fp', { executionId });
      await database.current.db('usage_records').insert({
        execution_id: executionId, tenant_id: tenant, install_id: randomUUID(), plugin_name: '@a/b', plugin_version: '1.0.0',
        action: 'run', status: 'succeeded', error_code: null, cpu_ms: 1, wall_ms: 1, memory_bytes: 1, input_bytes: 1, output_bytes: 1,
        started_at: clock.now(), finished_at: clock.now(),
      });
      clock.advance(1_000);
      assert.deepEqual(await leased.begin(tenant, key, 'fp', { executionId: randomUUID() }), { state: 'executed', executionId });
    });

    it('should drop an abandoned claim so a retry runs, but never a completed one', async () => {
      const key = randomUUID();
      await store.begin(tenant, key, 'fp');
      await store.abandon(tenant, key);
      assert.deepEqual(await store.begin(tenant, key, 'fp'), { state: 'new' });
      await store.complete(tenant, key, 200, 'done');
      await store.abandon(tenant, key);
      assert.deepEqual(await store.begin(tenant, key, 'fp'), { state: 'replay', status: 200, body: 'done' });
    });

    it('should replay bodies jsonb cannot hold (U+0000) exactly', async () => {
      const key = randomUUID();
      await store.begin(tenant, key, 'fp');
      const body = { output: 'a\u0000b', keep: 'order', a: 1 };
      await store.complete(tenant, key, 200, body);
      const replay = await store.begin(tenant, key, 'fp');
      assert.equal(replay.state, 'replay');
      assert.deepEqual(replay.state === 'replay' && replay.body, body);
    });

    it('should answer dependency_unavailable when the database fails', async () => {
      const { db } = database.current;
      await db.raw('ALTER TABLE idempotency_keys RENAME TO idempotency_keys_away');
      try {
        for (const call of [() => store.begin(tenant, 'k', 'fp'), () => store.complete(tenant, 'k', 200, {}), () => store.abandon(tenant, 'k')]) {
          await assert.rejects(call(), (err: unknown) => isBazaarError(err) && err.code === 'dependency_unavailable');
        }
      } finally {
        await db.raw('ALTER TABLE idempotency_keys_away RENAME TO idempotency_keys');
      }
    });
  });
}
