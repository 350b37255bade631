/**
 * UsageRecorder: group commit, idempotency per execution, and failure
 * handling (every caller of a failed batch is told; nothing half-written),
 * on every backend.
 */
import assert from 'node:assert/strict';
import knex from 'knex';
import { isBazaarError } from '../../../manifests/errors.js';
import { silentLogger } from '../../../host/foundation/logger.js';
import { UsageRecorder } from '../../../host/metering/usage-recorder.js';
import { UsageRepository } from '../../../host/metering/usage-repository.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import { storedCount, usageRecord } from './usage-fixtures.js';

/** Settle every promise and answer the error codes of the rejected ones (`undefined` for a resolved one). */
async function outcomes(promises: readonly Promise<void>[]): Promise<(string | undefined)[]> {
  const settled = await Promise.allSettled(promises);
  return settled.map((s) => (s.status === 'fulfilled' ? undefined : isBazaarError(s.reason) ? s.reason.code : String(s.reason)));
}

for (const backend of backends) {
  describe(`UsageRecorder (${backend.name})`, () => {
    const database = useDatabase(backend);
    const recorders: UsageRecorder[] = [];
    const recorder = (opts: { maxBatch?: number; retryDelayMs?: number } = {}) => {
      const r = new UsageRecorder({ store: new UsageRepository(database.current.db), logger: silentLogger, ...opts });
      recorders.push(r);
      return r;
    };
    afterEach(async () => {
      await Promise.all(recorders.splice(0).map((r) => r.close()));
    });

    it('should commit 500 concurrent records in far fewer round trips', async () => {
      const r = recorder();
      const records = Array.from({ length: 500 }, () => usageRecord());
      await Promise.all(records.map((rec) => r.record(rec)));
      assert.equal(await storedCount(database.current.db, records.map((rec) => rec.executionId)), 500);
      assert.ok(r.roundTrips <= 50, `round trips: ${r.roundTrips}`);
    });

    it('should send a lone record at once and gather what arrives during a commit into the next one', async () => {
      const r = recorder();
      const first = r.record(usageRecord());
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(r.roundTrips, 1, 'a lone record does not wait for company');
      // The first commit is still in flight: these wait for it, then leave together.
      const during = Array.from({ length: 50 }, () => r.record(usageRecord()));
      await Promise.all([first, ...during]);
      assert.equal(r.roundTrips, 2);
      assert.equal(r.batchSizes[1], 1);
      assert.equal(r.batchSizes[50], 1);
    });

    it('should store a duplicate executionId once, in one batch or across batches', async () => {
      const r = recorder();
      const rec = usageRecord();
      await Promise.all([r.record(rec), r.record({ ...rec, cpuMs: 99 })]);
      await r.record({ ...rec, cpuMs: 7 });
      assert.equal(await storedCount(database.current.db, [rec.executionId]), 1);
      const row = await database.current.db('usage_records').where({ execution_id: rec.executionId }).first();
      assert.equal(Number(row.cpu_ms), 1.25, 'the first record wins');
    });

    it('should write kept logs in the same commit as their records, once per execution', async () => {
      const r = recorder();
      const kept = { logs: ['a', 'b "quoted" \u0000'], error: { code: 'plugin_error', message: 'boom', stack: 'at run (index.js:1:1)' } };
      const withLogs = Array.from({ length: 20 }, () => usageRecord({ status: 'failed', errorCode: 'plugin_error', keptLogs: kept }));
      const without = Array.from({ length: 20 }, () => usageRecord());
      await Promise.all([...withLogs, ...without].map((rec) => r.record(rec)));
      // A retried record (same execution id) with other logs changes nothing.
      await r.record({ ...withLogs[0]!, keptLogs: { logs: ['retried'], error: null } });
      const { db } = database.current;
      assert.equal(await storedCount(db, [...withLogs, ...without].map((rec) => rec.executionId)), 40);
      const rows = (await db('execution_logs').whereIn('execution_id', withLogs.map((rec) => rec.executionId))) as { logs: string; error: string }[];
      assert.equal(rows.length, 20);
      assert.equal((await db('execution_logs').whereIn('execution_id', without.map((rec) => rec.executionId))).length, 0);
      const repository = new UsageRepository(db);
      const read = await repository.findById(withLogs[0]!.tenantId, withLogs[0]!.executionId, { logsKeptSince: new Date(0) });
      assert.deepEqual(read?.keptLogs, kept);
      // Without asking for them, or asked by another tenant: none.
      assert.equal((await repository.findById(withLogs[0]!.tenantId, withLogs[0]!.executionId))?.keptLogs, undefined);
      assert.equal(await repository.findById(withLogs[1]!.tenantId, withLogs[0]!.executionId, { logsKeptSince: new Date(0) }), null);
    });

    it('should refuse kept logs that are not strings without failing their batch', async () => {
      const r = recorder();
      const good = usageRecord({ status: 'failed', errorCode: 'plugin_error', keptLogs: { logs: ['ok'], error: { code: 'plugin_error' } } });
      const results = await outcomes([
        r.record(good),
        r.record(usageRecord({ keptLogs: { logs: [42 as unknown as string], error: null } })),
        r.record(usageRecord({ keptLogs: { logs: [], error: { code: 7 as unknown as string } } })),
      ]);
      assert.equal(results[0], undefined);
      assert.ok(results.slice(1).every((code) => code?.startsWith('TypeError')), JSON.stringify(results));
      assert.equal((await database.current.db('execution_logs').where({ execution_id: good.executionId })).length, 1);
    });

    it('should refuse a record that cannot be stored without failing its batch', async () => {
      const r = recorder();
      const good = usageRecord();
      const results = await outcomes([
        r.record(good),
        r.record(usageRecord({ status: 'failed', errorCode: null })),
        r.record(usageRecord({ action: 'nul\u0000' })),
        r.record(usageRecord({ cpuMs: Number.NaN })),
      ]);
      assert.equal(results[0], undefined);
      assert.ok(results.slice(1).every((code) => code?.startsWith('TypeError')), JSON.stringify(results));
      assert.equal(await storedCount(database.current.db, [good.executionId]), 1);
    });

    it('should reject every caller of a failed batch with dependency_unavailable and write none of it', async () => {
      const { db } = database.current;
      await db.raw(`CREATE FUNCTION usage_poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.plugin_name = '@test/poison' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$`);
      await db.raw('CREATE TRIGGER usage_poison BEFORE INSERT ON usage_records FOR EACH ROW EXECUTE FUNCTION usage_poison()');
      try {
        const r = recorder({ maxBatch: 1000 });
        const records = [...Array.from({ length: 20 }, () => usageRecord()), usageRecord({ pluginName: '@test/poison' })];
        const results = await outcomes(records.map((rec) => r.record(rec)));
        assert.deepEqual(new Set(results), new Set(['dependency_unavailable']));
        assert.equal(r.roundTrips, 1, 'all in one batch');
        assert.equal(await storedCount(db, records.map((rec) => rec.executionId)), 0);
      } finally {
        await db.raw('DROP TRIGGER usage_poison ON usage_records');
        await db.raw('DROP FUNCTION usage_poison()');
      }
    });

    it('should answer dependency_unavailable while the table is gone, keep those records, and write them once after', async () => {
      const { db } = database.current;
      const r = recorder({ retryDelayMs: 20 });
      await db.raw('ALTER TABLE usage_records RENAME TO usage_records_away');
      const lost = Array.from({ length: 10 }, () => usageRecord());
      let results: (string | undefined)[];
      try {
        results = await outcomes(lost.map((rec) => r.record(rec)));
        assert.equal(r.retained, 10, 'kept for retry');
      } finally {
        await db.raw('ALTER TABLE usage_records_away RENAME TO usage_records');
      }
      assert.deepEqual(new Set(results), new Set(['dependency_unavailable']));
      for (let i = 0; i < 200 && r.retained > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(r.retained, 0);
      assert.equal(await storedCount(db, lost.map((rec) => rec.executionId)), 10, 'each exactly once (the key is the execution id)');
      const later = usageRecord();
      await r.record(later);
      assert.equal(await storedCount(db, [later.executionId]), 1);
    });

    it('should reject every pending caller when the database is destroyed', async () => {
      // A pg client that was never connected and is already destroyed: no network involved.
      const dead = knex({ client: 'pg', connection: 'postgres://127.0.0.1:1/none' });
      await dead.destroy();
      const r = new UsageRecorder({ store: new UsageRepository(dead), logger: silentLogger });
      recorders.push(r);
      const results = await outcomes(Array.from({ length: 5 }, () => r.record(usageRecord())));
      assert.deepEqual(results, Array(5).fill('dependency_unavailable'));
    });

    it('should flush queued records on close() and refuse records afterwards', async () => {
      const r = recorder();
      const rec = usageRecord();
      const pending = r.record(rec);
      assert.equal(r.roundTrips, 0, 'leaves at the end of this turn');
      await r.close();
      await pending;
      assert.equal(await storedCount(database.current.db, [rec.executionId]), 1);
      assert.deepEqual(await outcomes([r.record(usageRecord())]), ['dependency_unavailable']);
      await r.close(); // idempotent
    });
  });
}
