/**
 * Review on every backend: the queue ordered by trust score, approve/reject
 * decisions and their illegal transitions, concurrent decisions, the
 * append-only audit log, and operator auto-approval.
 */
import assert from 'node:assert/strict';
import { backends, useDatabase } from '../../support/database-backends.js';
import type { TestHost } from '../../support/test-host.js';
import { CLEAN_SOURCE, bearer, createCast, packageOf, pluginPath, publish, startMarketplaceHost, type Cast } from './marketplace-host.js';

const EVAL_SOURCE = `${CLEAN_SOURCE}export const twice = (x) => eval(String(x) + '*2');\n`;
const ESCAPE_SOURCE = `${CLEAN_SOURCE}export const escape = () => ({}).constructor.constructor('return this')();\n`;

interface AuditJson {
  action: string;
  actor: { type: string; keyId: string | null; tenantId: string | null };
  plugin: string;
  version: string;
  fromStatus: string | null;
  toStatus: string | null;
  notes: string | null;
}

for (const backend of backends) {
  describe(`review (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    let cast: Cast;
    const decide = (key: string, name: string, version: string, body: unknown) =>
      host.http().post(pluginPath(name, 'versions', version, 'review')).set(bearer(key)).send(body as object);
    const audit = async (plugin: string): Promise<AuditJson[]> =>
      (await host.http().get(`/v1/audit-log?plugin=${encodeURIComponent(plugin)}`).set(bearer(cast.reviewer)).expect(200)).body.items;

    before(async () => {
      host = await startMarketplaceHost(database.current);
      cast = await createCast(host);
      await publish(host, cast.acme, packageOf({ name: '@acme/clean' })).expect(201);
      await publish(host, cast.acme, packageOf({ name: '@acme/evaluator' }, { 'index.js': EVAL_SOURCE })).expect(201);
      await publish(host, cast.globex, packageOf({ name: '@globex/escaper' }, { 'index.js': ESCAPE_SOURCE })).expect(201);
    });
    after(() => host?.close());

    it('should queue pending versions by trust score with their breakdown', async () => {
      const desc = await host.http().get('/v1/reviews').set(bearer(cast.reviewer)).expect(200);
      assert.deepEqual(desc.body.items.map((i: { name: string }) => i.name), ['@acme/clean', '@acme/evaluator', '@globex/escaper']);
      const scores = desc.body.items.map((i: { trust: { score: number } }) => i.trust.score);
      assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
      const escaper = desc.body.items[2];
      assert.equal(escaper.trust.risk, 'critical');
      assert.ok(escaper.trust.evidence.some((e: { factor: string; signal: string }) => e.factor === 'security' && e.signal === 'constructor-chain'));
      assert.ok(desc.body.items[1].trust.evidence.some((e: { signal: string }) => e.signal === 'eval'));
      const asc = await host.http().get('/v1/reviews?order=asc').set(bearer(cast.reviewer)).expect(200);
      assert.deepEqual(asc.body.items.map((i: { name: string }) => i.name), ['@globex/escaper', '@acme/evaluator', '@acme/clean']);
      const page1 = await host.http().get('/v1/reviews?limit=2').set(bearer(cast.reviewer)).expect(200);
      const page2 = await host.http().get(`/v1/reviews?limit=2&cursor=${page1.body.nextCursor}`).set(bearer(cast.reviewer)).expect(200);
      assert.deepEqual([...page1.body.items, ...page2.body.items].map((i: { name: string }) => i.name), desc.body.items.map((i: { name: string }) => i.name));
      assert.equal(page2.body.nextCursor, null);
    });

    it('should guard review endpoints by scope', async () => {
      assert.equal((await host.http().get('/v1/reviews').set(bearer(cast.acme)).expect(403)).body.error.code, 'forbidden');
      assert.equal((await host.http().get('/v1/reviews').expect(401)).body.error.code, 'unauthorized');
      assert.equal((await decide(cast.acme, '@acme/clean', '1.0.0', { decision: 'approve' }).expect(403)).body.error.code, 'forbidden');
      assert.equal((await host.http().get('/v1/audit-log').set(bearer(cast.acme)).expect(403)).body.error.code, 'forbidden');
      await host.http().get('/v1/audit-log').set(bearer(host.adminKey)).expect(200);
      assert.equal((await host.http().get('/v1/reviews?order=sideways').set(bearer(cast.reviewer)).expect(400)).body.error.code, 'invalid_request');
    });

    it('should approve and reject, refusing illegal transitions with 409 conflict', async () => {
      assert.equal((await decide(cast.reviewer, '@acme/clean', '1.0.0', { decision: 'maybe' }).expect(400)).body.error.code, 'invalid_request');
      assert.equal((await decide(cast.reviewer, '@acme/clean', '2.0.0', { decision: 'approve' }).expect(404)).body.error.code, 'not_found');
      const approved = await decide(cast.reviewer, '@acme/clean', '1.0.0', { decision: 'approve', notes: 'clean code' }).expect(200);
      assert.equal(approved.body.status, 'approved');
      assert.equal(approved.body.trust.factors.security, 100);
      assert.equal((await decide(cast.reviewer, '@acme/clean', '1.0.0', { decision: 'approve' }).expect(409)).body.error.code, 'conflict');
      assert.equal((await decide(cast.reviewer, '@acme/clean', '1.0.0', { decision: 'reject' }).expect(409)).body.error.code, 'conflict');
      const rejected = await decide(cast.reviewer, '@globex/escaper', '1.0.0', { decision: 'reject', notes: 'sandbox escape attempt' }).expect(200);
      assert.equal(rejected.body.status, 'rejected');
      assert.equal((await decide(cast.reviewer, '@globex/escaper', '1.0.0', { decision: 'approve' }).expect(409)).body.error.code, 'conflict');
      const queue = await host.http().get('/v1/reviews').set(bearer(cast.reviewer)).expect(200);
      assert.deepEqual(queue.body.items.map((i: { name: string }) => i.name), ['@acme/evaluator']);
    });

    it('should let exactly one of two concurrent decisions win', async () => {
      const [a, b] = await Promise.all([
        decide(cast.reviewer, '@acme/evaluator', '1.0.0', { decision: 'approve' }),
        decide(cast.reviewer, '@acme/evaluator', '1.0.0', { decision: 'reject' }),
      ]);
      assert.deepEqual([a.status, b.status].sort(), [200, 409]);
      const entries = (await audit('@acme/evaluator')).filter((e) => e.action === 'approve' || e.action === 'reject');
      assert.equal(entries.length, 1);
    });

    it('should record every decision in the audit log with who, what and why', async () => {
      const clean = await audit('@acme/clean');
      assert.deepEqual(clean.map((e) => e.action), ['approve', 'publish'], 'newest first');
      const approve = clean[0]!;
      assert.equal(approve.actor.type, 'key');
      assert.ok(approve.actor.keyId && approve.actor.tenantId);
      assert.deepEqual([approve.fromStatus, approve.toStatus, approve.notes], ['pending_review', 'approved', 'clean code']);
      const escaper = await audit('@globex/escaper');
      assert.equal(escaper[0]?.action, 'reject');
      assert.equal(escaper[0]?.notes, 'sandbox escape attempt');
      await host.http().post(pluginPath('@acme/clean', 'versions', '1.0.0', 'yank')).set(bearer(cast.acme)).send({ reason: 'superseded' }).expect(200);
      const yank = (await audit('@acme/clean'))[0]!;
      assert.deepEqual([yank.action, yank.fromStatus, yank.toStatus, yank.notes], ['yank', 'approved', 'yanked', 'superseded']);
      const all = await host.http().get('/v1/audit-log?limit=2').set(bearer(cast.reviewer)).expect(200);
      assert.equal(all.body.items.length, 2);
      assert.ok(all.body.nextCursor);
    });

    it('should refuse UPDATE and DELETE on the audit log and DELETE of a version in the database itself', async () => {
      const db = database.current.db;
      await assert.rejects(db('marketplace_audit_log').update({ notes: 'rewritten' }));
      await assert.rejects(db('marketplace_audit_log').delete());
      await assert.rejects(db.raw('truncate marketplace_audit_log'));
      await assert.rejects(db('plugin_versions').delete());
      await assert.rejects(db('plugin_versions').update({ sha256: 'f'.repeat(64) }));
      assert.ok((await audit('@acme/clean')).length >= 3);
    });

    it('should auto-approve at or above the operator threshold, never with a critical finding', async () => {
      const auto = await startMarketplaceHost(database.current, { env: { BAZAAR_AUTO_APPROVE_MIN_SCORE: '0' } });
      const strict = await startMarketplaceHost(database.current, { env: { BAZAAR_AUTO_APPROVE_MIN_SCORE: '99' } });
      try {
        const ok = await publish(auto, cast.acme, packageOf({ name: '@acme/auto' })).expect(201);
        assert.equal(ok.body.status, 'approved');
        const entries = await audit('@acme/auto');
        assert.deepEqual(entries.map((e) => [e.action, e.actor.type]), [['auto_approve', 'system'], ['publish', 'key']]);
        const critical = await publish(auto, cast.globex, packageOf({ name: '@globex/escaper2' }, { 'index.js': ESCAPE_SOURCE })).expect(201);
        assert.equal(critical.body.status, 'pending_review');
        const below = await publish(strict, cast.acme, packageOf({ name: '@acme/manual' })).expect(201);
        assert.equal(below.body.status, 'pending_review');
      } finally {
        await auto.close();
        await strict.close();
      }
    });
  });
}
