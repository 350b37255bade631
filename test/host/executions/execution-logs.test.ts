/**
 * Kept execution logs through the HTTP API with real isolates: a failed
 * execution's logs and full error are readable by id (written in the usage
 * record's one statement), a succeeded one keeps none by default, the list
 * carries none, another tenant gets 404, and the retention expires them (at
 * once for reads, then deleted by the sweep). Then the two settings: logs of
 * successes kept too, and a retention of 0 days keeping nothing.
 */
import assert from 'node:assert/strict';
import { backends, useDatabase } from '../../support/database-backends.js';
import type { TestHost } from '../../support/test-host.js';
import { ContractChecker } from '../../openapi/contract-checker.js';
import { type Installer, bearer, createInstaller, execute, installOk, packageOf, publishApproved, startExecutionHost } from './execution-host.js';

const NOISY = '@examples/noisy';
const DAY_MS = 24 * 60 * 60 * 1000;

/** Logs, then fails or succeeds; one line with a quote and U+0000, which storage must carry intact. */
const NOISY_SOURCE = `
export function fail(input, ctx) {
  ctx.log('starting with n=' + input.n);
  ctx.log('a "quote" and a NUL \\u0000 here');
  throw new Error('kaput ' + input.n);
}
export function succeed(input, ctx) {
  ctx.log('all fine');
  return { ok: true };
}
`;

function noisyPackage(): Buffer {
  const ok = { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } };
  return packageOf({ name: NOISY, actions: { fail: { output: ok }, succeed: { output: ok } }, defaultAction: 'succeed' }, { 'index.js': NOISY_SOURCE });
}

/** A host with the noisy plugin installed by `alpha`; `beta` is another tenant. */
async function noisyHost(database: Parameters<typeof startExecutionHost>[0]) {
  const { host, publisher } = await startExecutionHost(database);
  await publishApproved(host, publisher, noisyPackage());
  const alpha = await createInstaller(host, 'alpha');
  const beta = await createInstaller(host, 'beta');
  const installId = await installOk(host, alpha.key, { plugin: NOISY });
  return { host, alpha, beta, installId };
}

async function keptRows(host: TestHost): Promise<string[]> {
  const rows = (await host.deps.db('execution_logs').select('execution_id')) as { execution_id: string }[];
  return rows.map((r) => r.execution_id);
}

for (const backend of backends) {
  describe(`execution logs (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    let alpha: Installer;
    let beta: Installer;
    let installId: string;
    let contract: ContractChecker;
    const show = (id: string, key = alpha.key) => host.http().get(`/v1/executions/${id}`).set(bearer(key));

    before(async () => {
      ({ host, alpha, beta, installId } = await noisyHost(database.current));
      contract = new ContractChecker((await host.http().get('/openapi.json').expect(200)).body);
    });
    after(async () => {
      await host?.close();
    });

    it('should keep a failed execution\'s logs and full error, written in the usage record\'s one statement', async () => {
      // Writes only: the first execution of a tenant also reads the ledger (its quota counter's seed).
      const statements: string[] = [];
      const onQuery = (q: { sql: string }) => void (/usage_records|execution_logs/.test(q.sql) && /^\s*(with|insert|update|delete)\b/i.test(q.sql) && statements.push(q.sql));
      host.deps.db.on('query', onQuery);
      const failed = await execute(host, alpha.key, installId, { action: 'fail', input: { n: 3 } }).expect(422);
      host.deps.db.removeListener('query', onQuery);
      assert.equal(failed.body.error.code, 'plugin_error');
      assert.deepEqual(failed.body.logs, ['starting with n=3', 'a "quote" and a NUL \u0000 here']);
      // One statement wrote both the ledger row and the logs: no extra round trip on the execution path.
      assert.equal(statements.length, 1, statements.join('\n'));
      assert.match(statements[0]!, /usage_records/);
      assert.match(statements[0]!, /execution_logs/);

      const res = await contract.expect(show(failed.body.executionId), 200);
      assert.equal(res.body.status, 'failed');
      assert.deepEqual(res.body.logs, failed.body.logs);
      // The error as answered: code and message (and whatever else the answer's error carries).
      assert.deepEqual(res.body.error, { ...failed.body.error, code: 'plugin_error' });
      assert.match(res.body.error.message, /kaput 3/);
    });

    it('should keep no logs of a succeeded execution by default', async () => {
      const ok = await execute(host, alpha.key, installId, { action: 'succeed', input: {} }).expect(200);
      assert.deepEqual(ok.body.logs, ['all fine']);
      const res = await contract.expect(show(ok.body.executionId), 200);
      assert.equal(res.body.status, 'succeeded');
      assert.equal(res.body.logs, null);
      assert.equal(res.body.error, null);
      assert.ok(!(await keptRows(host)).includes(ok.body.executionId));
    });

    it('should list executions without logs or messages', async () => {
      const res = await contract.expect(host.http().get('/v1/executions').set(bearer(alpha.key)), 200);
      assert.ok(res.body.items.length >= 2);
      for (const item of res.body.items) {
        assert.ok(!('logs' in item), JSON.stringify(item));
        assert.ok(item.error === null || Object.keys(item.error).join() === 'code', JSON.stringify(item));
      }
    });

    it('should answer another tenant 404, as an unknown execution', async () => {
      const failed = await execute(host, alpha.key, installId, { action: 'fail', input: { n: 4 } }).expect(422);
      const res = await contract.expect(show(failed.body.executionId, beta.key), 404);
      assert.equal(res.body.error.code, 'not_found');
      assert.equal(JSON.stringify(res.body).includes('kaput'), false);
    });

    it('should expire logs after the retention: unread at once, deleted by the sweep, newer ones kept', async () => {
      const old = await execute(host, alpha.key, installId, { action: 'fail', input: { n: 5 } }).expect(422);
      host.clock.advance(6 * DAY_MS);
      const recent = await execute(host, alpha.key, installId, { action: 'fail', input: { n: 6 } }).expect(422);
      assert.ok((await show(old.body.executionId).expect(200)).body.logs.length > 0, 'still kept on day 6');

      host.clock.advance(DAY_MS + 60_000); // the first is past 7 days, the second is 1 day old
      const expired = await contract.expect(show(old.body.executionId), 200);
      assert.equal(expired.body.logs, null);
      assert.deepEqual(expired.body.error, { code: 'plugin_error' });
      assert.ok((await keptRows(host)).includes(old.body.executionId), 'unread before the sweep reaches it');

      const deleted = await host.deps.logRetention.sweepOnce();
      assert.ok(deleted >= 1, `deleted ${deleted}`);
      const left = await keptRows(host);
      assert.ok(!left.includes(old.body.executionId));
      assert.deepEqual(left, [recent.body.executionId]);
      assert.deepEqual((await show(recent.body.executionId).expect(200)).body.logs, recent.body.logs);
      // The ledger itself is untouched: the expired execution is still there, with its code.
      assert.equal((await show(old.body.executionId).expect(200)).body.status, 'failed');
    });
  });

  describe(`execution logs, kept for successes too (${backend.name})`, () => {
    const database = useDatabase(backend, { BAZAAR_EXECUTION_LOG_KEEP_SUCCEEDED: '1' });
    let host: TestHost;
    let alpha: Installer;
    let installId: string;

    before(async () => {
      ({ host, alpha, installId } = await noisyHost(database.current));
    });
    after(async () => {
      await host?.close();
    });

    it('should keep a succeeded execution\'s logs, with no error', async () => {
      const ok = await execute(host, alpha.key, installId, { action: 'succeed', input: {} }).expect(200);
      const res = await host.http().get(`/v1/executions/${ok.body.executionId}`).set(bearer(alpha.key)).expect(200);
      assert.deepEqual(res.body.logs, ['all fine']);
      assert.equal(res.body.error, null);
    });
  });

  describe(`execution logs, a retention of 0 days (${backend.name})`, () => {
    const database = useDatabase(backend, { BAZAAR_EXECUTION_LOG_RETENTION_DAYS: '0' });
    let host: TestHost;
    let alpha: Installer;
    let installId: string;

    before(async () => {
      ({ host, alpha, installId } = await noisyHost(database.current));
    });
    after(async () => {
      await host?.close();
    });

    it('should keep no logs at all, and the sweep clears what an earlier setting kept', async () => {
      const failed = await execute(host, alpha.key, installId, { action: 'fail', input: { n: 1 } }).expect(422);
      const res = await host.http().get(`/v1/executions/${failed.body.executionId}`).set(bearer(alpha.key)).expect(200);
      assert.equal(res.body.logs, null);
      assert.deepEqual(res.body.error, { code: 'plugin_error' });
      assert.deepEqual(await keptRows(host), []);

      // Logs a host kept under a longer retention before the setting went to 0: never answered, swept.
      await host.deps.db('execution_logs').insert({ execution_id: failed.body.executionId, tenant_id: alpha.id, logs: '["earlier"]', error: null, finished_at: host.clock.now() });
      assert.equal((await host.http().get(`/v1/executions/${failed.body.executionId}`).set(bearer(alpha.key)).expect(200)).body.logs, null);
      host.clock.advance(1);
      assert.equal(await host.deps.logRetention.sweepOnce(), 1);
      assert.deepEqual(await keptRows(host), []);
    });
  });
}
