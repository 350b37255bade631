/**
 * Invoices over HTTP on every backend: a period's invoice reconciles exactly
 * with the usage ledger (summed here independently), paid-plugin fees come
 * from each version's manifest price with the author's share in the ledger,
 * finalized invoices are frozen in SQL, payment through the external
 * provider, past_due after the grace period and back to active on payment,
 * pagination and every refusal.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { UsageRecord } from '../../../host/metering/usage-record.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import type { TestHost } from '../../support/test-host.js';
import { packageOf, publishApproved, putSettings } from '../executions/execution-host.js';
import { usageRecord } from '../metering/usage-fixtures.js';
import { type BillingHost, type BillingTenant, bearer, closePeriods, createBillingTenant, FakeClock, setTime, startBillingHost } from './billing-host.js';

const PERIOD_START = new Date('2031-01-10T00:00:00Z');
const PERIOD_END = new Date('2031-02-10T00:00:00Z');
const INCLUDED = 5;
const PRICES: Record<string, number> = { '@examples/paid@1.0.0': 250_000, '@examples/paid@1.1.0': 333_333, '@examples/gratis@1.0.0': 0 };

const SOURCE = 'export function hello() { return {}; }\n';

for (const backend of backends) {
  describe(`invoices (${backend.name})`, () => {
    // No trials here: paid tenants pay from their first period. Grace: 3 days.
    const database = useDatabase(backend, { BAZAAR_BILLING_TRIAL_DAYS: '0', BAZAAR_BILLING_GRACE_PERIOD_DAYS: '3' });
    let host: BillingHost;
    let publisherId: string;
    let buyer: BillingTenant;
    let other: BillingTenant;
    let records: UsageRecord[];
    let invoiceId: string;

    before(async () => {
      host = await startBillingHost(database.current, { clock: new FakeClock(PERIOD_START) });
      const asTestHost = host as unknown as TestHost;
      const publisher = await createBillingTenant(host, 'examples', 'free');
      publisherId = publisher.id;
      const pubKey = (await host.http().post(`/v1/tenants/${publisherId}/api-keys`).set(bearer(host.adminKey)).send({ name: 'p', scopes: ['plugins:publish'] })).body.key;
      for (const [id, micros] of Object.entries(PRICES)) {
        const [name, version] = [id.slice(0, id.lastIndexOf('@')), id.slice(id.lastIndexOf('@') + 1)];
        const tgz = packageOf({ name, version, pricing: { perExecutionMicros: micros } }, { 'index.js': SOURCE });
        await publishApproved(asTestHost, { key: pubKey, tenantId: publisherId }, tgz);
      }
      buyer = await createBillingTenant(host, 'buyer', 'pro');
      other = await createBillingTenant(host, 'other', 'pro');
      await putSettings(asTestHost, buyer.id, { limits: { executionsPerMonth: INCLUDED } });

      // 220 executions spread over the period, interleaving plugins, versions and outcomes,
      // plus some that must not count: before the start, at the exact end, another tenant's.
      records = [];
      const span = PERIOD_END.getTime() - PERIOD_START.getTime();
      for (let i = 0; i < 220; i++) {
        const plugin = i % 3 === 2 ? '@examples/gratis' : '@examples/paid';
        const version = plugin === '@examples/gratis' ? '1.0.0' : i % 2 === 0 ? '1.0.0' : '1.1.0';
        const failed = i % 11 === 0;
        records.push(
          usageRecord({
            tenantId: buyer.id,
            pluginName: plugin,
            pluginVersion: version,
            startedAt: new Date(PERIOD_START.getTime() + Math.floor((span * i) / 220)),
            ...(failed ? { status: 'failed', errorCode: 'plugin_error' } : {}),
          }),
        );
      }
      const outside = [
        usageRecord({ tenantId: buyer.id, pluginName: '@examples/paid', startedAt: new Date(PERIOD_START.getTime() - 1) }),
        usageRecord({ tenantId: buyer.id, pluginName: '@examples/paid', startedAt: PERIOD_END }),
        usageRecord({ tenantId: other.id, pluginName: '@examples/paid', startedAt: new Date('2031-01-20T00:00:00Z') }),
      ];
      await host.deps.usageRepository.insertMany([...records, ...outside]);
    });
    after(() => host.close());

    it('should keep the running period as a draft with its subscription line', async () => {
      const list = (await host.http().get('/v1/invoices').set(bearer(buyer.readKey)).expect(200)).body;
      assert.equal(list.items.length, 1);
      const [draft] = list.items;
      assert.equal(draft.status, 'draft');
      assert.equal(draft.periodStart, PERIOD_START.toISOString());
      assert.equal(draft.periodEnd, PERIOD_END.toISOString());
      assert.deepEqual(draft.lines.map((l: { kind: string; amountCents: number }) => [l.kind, l.amountCents]), [['subscription', 4_900]]);
      assert.equal(draft.totalCents, null);
    });

    it('should not close a period before its end', async () => {
      setTime(host, new Date(PERIOD_END.getTime() - 1000).toISOString());
      const report = await closePeriods(host);
      assert.equal(report.closed.filter((c) => c.tenantId === buyer.id).length, 0);
    });

    it('should invoice exactly what the usage records add up to', async () => {
      setTime(host, PERIOD_END.toISOString());
      const report = await closePeriods(host);
      const closed = report.closed.find((c) => c.tenantId === buyer.id);
      assert.ok(closed);
      invoiceId = closed.invoiceId;
      const invoice = (await host.http().get(`/v1/invoices/${invoiceId}`).set(bearer(buyer.readKey)).expect(200)).body;

      // Independent sums: the first INCLUDED executions by start time are included, the rest is overage of its plugin.
      const inPeriod = [...records].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || (a.executionId < b.executionId ? -1 : 1));
      const sqlCount = await host.deps.db('usage_records').where({ tenant_id: buyer.id }).where('started_at', '>=', PERIOD_START).where('started_at', '<', PERIOD_END).count({ n: '*' });
      assert.equal(Number(sqlCount[0]?.n), inPeriod.length);
      const overage = new Map<string, number>();
      for (const rec of inPeriod.slice(INCLUDED)) overage.set(rec.pluginName, (overage.get(rec.pluginName) ?? 0) + 1);
      let paidMicros = 0;
      let paidExecutions = 0;
      for (const rec of inPeriod) {
        const micros = PRICES[`${rec.pluginName}@${rec.pluginVersion}`] ?? 0;
        if (rec.status === 'succeeded' && micros > 0) {
          paidMicros += micros;
          paidExecutions += 1;
        }
      }
      const half = (n: number, d: number) => Math.floor((2 * n + d) / (2 * d)); // half up, non-negative
      const expectedLines = [
        ['subscription', null, 1, 4_900],
        ...[...overage.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([plugin, n]) => ['overage', plugin, n, half(n * 50, 1000)]),
        ['plugin_fee', '@examples/paid', paidExecutions, half(paidMicros, 10_000)],
      ];
      assert.deepEqual(
        invoice.lines.map((l: { kind: string; plugin: string | null; quantity: number; amountCents: number }) => [l.kind, l.plugin, l.quantity, l.amountCents]),
        expectedLines,
      );
      const subtotal = expectedLines.reduce((sum, l) => sum + (l[3] as number), 0);
      assert.equal(invoice.subtotalCents, subtotal);
      assert.equal(invoice.taxRateBps, 1_000);
      assert.equal(invoice.taxCents, half(subtotal * 1_000, 10_000));
      assert.equal(invoice.totalCents, subtotal + invoice.taxCents);
      assert.equal(invoice.status, 'open');
      assert.equal(invoice.dueAt, '2031-02-13T00:00:00.000Z');

      // The author's share of the paid plugin, rounded down.
      const ledger = await host.deps.db('plugin_revenue_ledger').where({ invoice_id: invoiceId });
      assert.equal(ledger.length, 1);
      assert.equal(ledger[0].author_tenant_id, publisherId);
      assert.equal(Number(ledger[0].gross_cents), half(paidMicros, 10_000));
      assert.equal(Number(ledger[0].author_cents), Math.floor((half(paidMicros, 10_000) * 7_000) / 10_000));

      const [event] = host.events.of('invoice.finalized', buyer.id);
      assert.equal(event?.data.invoiceId, invoiceId);
      assert.equal(event?.data.totalCents, invoice.totalCents);
    });

    it('should close each period once: a second run finds nothing due', async () => {
      const report = await closePeriods(host);
      assert.equal(report.closed.length, 0);
      const rows = await host.deps.db('invoices').where({ tenant_id: buyer.id }).whereNot({ status: 'draft' });
      assert.equal(rows.length, 1);
    });

    it('should refuse any change to a finalized invoice or its lines in SQL', async () => {
      const db = host.deps.db;
      await assert.rejects(db('invoices').where({ id: invoiceId }).update({ total_cents: 1 }), /immutable/);
      await assert.rejects(db('invoices').where({ id: invoiceId }).update({ status: 'draft' }), /final/);
      await assert.rejects(db('invoices').where({ id: invoiceId }).del(), /never deleted/);
      await assert.rejects(db('invoice_lines').where({ invoice_id: invoiceId }).update({ amount_cents: 0 }), /never changed/);
      await assert.rejects(db('invoice_lines').where({ invoice_id: invoiceId }).del(), /never changed/);
      await assert.rejects(
        db('invoice_lines').insert({ id: randomUUID(), invoice_id: invoiceId, position: 99, kind: 'proration', description: 'x', quantity: 1, amount_cents: -100, data: '{}', created_at: new Date() }),
        /drafts only/,
      );
    });

    it('should hide other tenants\' invoices (404) and page the list', async () => {
      const res = await host.http().get(`/v1/invoices/${invoiceId}`).set(bearer(other.key)).expect(404);
      assert.equal(res.body.error.code, 'not_found');
      await host.http().post(`/v1/invoices/${invoiceId}/pay`).set(bearer(other.key)).send({ reference: 'x', amountCents: 1 }).expect(404);
      await host.http().get('/v1/invoices/not-a-uuid').set(bearer(buyer.key)).expect(404);
      await host.http().get(`/v1/invoices/${randomUUID()}`).set(bearer(buyer.key)).expect(404);

      const first = (await host.http().get('/v1/invoices?limit=1').set(bearer(buyer.key)).expect(200)).body;
      assert.equal(first.items.length, 1);
      assert.equal(first.items[0].status, 'draft', 'newest period first');
      assert.ok(first.nextCursor);
      const second = (await host.http().get(`/v1/invoices?limit=1&cursor=${first.nextCursor}`).set(bearer(buyer.key)).expect(200)).body;
      assert.deepEqual(second.items.map((i: { id: string }) => i.id), [invoiceId]);
      assert.equal(second.nextCursor, null);
      for (const q of ['limit=0', 'limit=201', 'cursor=%%%', 'cursor=WyJ4Il0']) {
        const bad = await host.http().get(`/v1/invoices?${q}`).set(bearer(buyer.key)).expect(400);
        assert.equal(bad.body.error.code, 'invalid_request', q);
      }
    });

    it('should go past_due once the invoice is unpaid past the grace period', async () => {
      setTime(host, '2031-02-12T23:59:59Z');
      assert.deepEqual((await closePeriods(host)).pastDue, []);
      setTime(host, '2031-02-13T00:00:00Z');
      const report = await closePeriods(host);
      assert.ok(report.pastDue.includes(buyer.id));
      const sub = (await host.http().get('/v1/subscription').set(bearer(buyer.key)).expect(200)).body;
      assert.equal(sub.status, 'past_due');
      assert.equal(host.events.of('subscription.updated', buyer.id).at(-1)?.data.reason, 'past_due');
      const up = await host.http().post('/v1/subscription/upgrade').set(bearer(buyer.key)).send({ tier: 'team' }).expect(409);
      assert.equal(up.body.error.code, 'conflict');
    });

    it('should refuse bad payments', async () => {
      const invoice = (await host.http().get(`/v1/invoices/${invoiceId}`).set(bearer(buyer.key))).body;
      const pay = (key: string, body?: object, id = invoiceId) => host.http().post(`/v1/invoices/${id}/pay`).set(bearer(key)).send(body);
      await host.http().post(`/v1/invoices/${invoiceId}/pay`).send({}).expect(401);
      assert.equal((await pay(buyer.readKey, { reference: 'r', amountCents: invoice.totalCents }).expect(403)).body.error.code, 'forbidden');
      for (const body of [undefined, {}, { reference: 'r' }, { reference: '', amountCents: invoice.totalCents }, { reference: 'r', amountCents: 1.5 }, { reference: 'r', amountCents: invoice.totalCents, card: '4242' }]) {
        assert.equal((await pay(buyer.key, body).expect(400)).body.error.code, 'invalid_request', JSON.stringify(body));
      }
      const wrong = await pay(buyer.key, { reference: 'r', amountCents: invoice.totalCents - 1 }).expect(400);
      assert.deepEqual(wrong.body.error.details, { expectedCents: invoice.totalCents });
      const draftId = (await host.http().get('/v1/invoices?limit=1').set(bearer(buyer.key))).body.items[0].id;
      assert.equal((await pay(buyer.key, { reference: 'r', amountCents: 0 }, draftId).expect(409)).body.error.code, 'conflict');
      assert.equal(await host.deps.db('payments').where({ invoice_id: invoiceId }).first(), undefined, 'nothing recorded');
    });

    it('should record a payment made outside, make the subscription active again, and refuse paying twice', async () => {
      const invoice = (await host.http().get(`/v1/invoices/${invoiceId}`).set(bearer(buyer.key))).body;
      setTime(host, '2031-02-14T09:30:00Z');
      const res = await host.http().post(`/v1/invoices/${invoiceId}/pay`).set(bearer(buyer.key)).send({ reference: 'wire-2031-0042', amountCents: invoice.totalCents }).expect(200);
      assert.equal(res.body.status, 'paid');
      assert.equal(res.body.paidAt, '2031-02-14T09:30:00.000Z');
      assert.equal(res.body.totalCents, invoice.totalCents, 'paying changes nothing but the status');
      assert.deepEqual({ ...res.body.payment, id: undefined }, { id: undefined, provider: 'external', reference: 'wire-2031-0042', amountCents: invoice.totalCents });
      const sub = (await host.http().get('/v1/subscription').set(bearer(buyer.key)).expect(200)).body;
      assert.equal(sub.status, 'active');
      assert.equal(host.events.of('subscription.updated', buyer.id).at(-1)?.data.reason, 'reactivated');

      const again = await host.http().post(`/v1/invoices/${invoiceId}/pay`).set(bearer(buyer.key)).send({ reference: 'wire-2', amountCents: invoice.totalCents }).expect(409);
      assert.equal(again.body.error.code, 'conflict');
      await assert.rejects(host.deps.db('payments').where({ invoice_id: invoiceId }).update({ amount_cents: 0 }), /append-only/);
      const audit = await host.deps.db('billing_audit_log').where({ tenant_id: buyer.id }).whereIn('entity', ['invoice', 'payment']).orderBy('id');
      assert.deepEqual(audit.map((r) => `${r.entity}:${r.action}`), ['invoice:finalized', 'payment:recorded', 'invoice:paid']);
    });

    it('should let only the operator close periods', async () => {
      const res = await host.http().post('/v1/billing/close-period').set(bearer(buyer.key)).expect(403);
      assert.equal(res.body.error.code, 'forbidden');
      await host.http().post('/v1/billing/close-period').expect(401);
    });
  });
}
