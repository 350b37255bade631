/**
 * Subscriptions over HTTP on every backend: creation with the tenant (trial
 * for paid tiers, active for free), prorated upgrades across a leap-year
 * February, downgrades and cancellations at the period end, the tier
 * following the subscription into the tenant's limits, events and the audit
 * log, and every refusal.
 */
import assert from 'node:assert/strict';
import { backends, useDatabase } from '../../support/database-backends.js';
import { type BillingHost, bearer, closePeriods, createBillingTenant, FakeClock, setTime, startBillingHost } from './billing-host.js';

for (const backend of backends) {
  describe(`subscriptions (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: BillingHost;

    before(async () => {
      host = await startBillingHost(database.current, { clock: new FakeClock(new Date('2028-01-31T10:00:00.250Z')) });
    });
    after(() => host.close());

    const get = (key: string) => host.http().get('/v1/subscription').set(bearer(key));
    const post = (key: string, path: string, body?: object) => host.http().post(`/v1/subscription/${path}`).set(bearer(key)).send(body);
    const tenantTier = async (id: string) => (await host.http().get(`/v1/tenants/${id}`).set(bearer(host.adminKey))).body.tier as string;

    it('should start a free tenant active, monthly from creation (whole seconds)', async () => {
      setTime(host, '2028-01-31T10:00:00.250Z');
      const t = await createBillingTenant(host, 'leap', 'free');
      const res = await get(t.readKey).expect(200);
      assert.deepEqual(res.body, {
        tier: 'free',
        status: 'active',
        currentPeriodStart: '2028-01-31T10:00:00.000Z',
        currentPeriodEnd: '2028-02-29T10:00:00.000Z',
        cancelAtPeriodEnd: false,
        trialEndsAt: null,
        pendingTier: null,
        canceledAt: null,
      });
      const [created] = host.events.of('subscription.updated', t.id);
      assert.equal(created?.data.reason, 'created');
      assert.equal(host.events.untransacted.length, 0);
    });

    it('should upgrade at once with a proration by seconds remaining, and the tier follow everywhere', async () => {
      const t = await createBillingTenant(host, 'leap-up', 'free');
      setTime(host, '2028-02-15T10:00:00Z'); // 14 of 29 days left
      const res = await post(t.key, 'upgrade', { tier: 'pro' }).expect(200);
      assert.equal(res.body.tier, 'pro');
      assert.equal(res.body.status, 'active');
      assert.equal(res.body.prorationCents, 2_366); // 4900 × 14/29 = 2365.52, rounded half up
      assert.equal(await tenantTier(t.id), 'pro');
      const settings = await host.http().get(`/v1/tenants/${t.id}/settings`).set(bearer(host.adminKey)).expect(200);
      assert.equal(settings.body.limits.executionsPerMonth, host.deps.config.tiers.pro.limits.executionsPerMonth);
      const updated = host.events.of('subscription.updated', t.id).at(-1);
      assert.equal(updated?.data.reason, 'upgraded');
      assert.equal(updated?.data.previousTier, 'free');

      // The period closes on Feb 29 (leap year); the next runs to Mar 31 (the anchor's day).
      setTime(host, '2028-02-29T10:00:00Z');
      const report = await closePeriods(host);
      const closed = report.closed.find((c) => c.tenantId === t.id);
      assert.ok(closed);
      const invoice = (await host.http().get(`/v1/invoices/${closed.invoiceId}`).set(bearer(t.readKey)).expect(200)).body;
      assert.deepEqual(
        invoice.lines.map((l: { kind: string; amountCents: number }) => [l.kind, l.amountCents]),
        [['subscription', 0], ['proration', 2_366]],
      );
      assert.equal(invoice.subtotalCents, 2_366);
      assert.equal(invoice.taxCents, 237);
      assert.equal(invoice.totalCents, 2_603);
      assert.equal(invoice.status, 'open');
      const after = (await get(t.key).expect(200)).body;
      assert.equal(after.currentPeriodStart, '2028-02-29T10:00:00.000Z');
      assert.equal(after.currentPeriodEnd, '2028-03-31T10:00:00.000Z');
      // The new period's draft carries the pro fee.
      const list = (await host.http().get('/v1/invoices').set(bearer(t.readKey)).expect(200)).body;
      assert.equal(list.items[0].status, 'draft');
      assert.equal(list.items[0].lines[0].amountCents, 4_900);
    });

    it('should start a paid tier trialing, upgrade without proration in the trial, and end the trial at its period end', async () => {
      setTime(host, '2028-03-01T00:00:00Z');
      const t = await createBillingTenant(host, 'trial', 'pro');
      const sub = (await get(t.key).expect(200)).body;
      assert.equal(sub.status, 'trialing');
      assert.equal(sub.trialEndsAt, '2028-03-15T00:00:00.000Z');
      assert.equal(sub.currentPeriodEnd, sub.trialEndsAt);
      const up = await post(t.key, 'upgrade', { tier: 'team' }).expect(200);
      assert.equal(up.body.prorationCents, 0);
      assert.equal(up.body.status, 'trialing');

      setTime(host, '2028-03-15T00:00:00Z');
      const report = await closePeriods(host);
      const closed = report.closed.find((c) => c.tenantId === t.id);
      assert.equal(closed?.totalCents, 0);
      const invoice = (await host.http().get(`/v1/invoices/${closed?.invoiceId}`).set(bearer(t.key)).expect(200)).body;
      assert.equal(invoice.status, 'paid', 'nothing to pay: settled at once');
      const after = (await get(t.key).expect(200)).body;
      assert.equal(after.status, 'active');
      assert.equal(after.tier, 'team');
      assert.equal(after.currentPeriodStart, '2028-03-15T00:00:00.000Z');
      assert.equal(after.currentPeriodEnd, '2028-04-15T00:00:00.000Z');
      assert.equal(host.events.of('subscription.updated', t.id).at(-1)?.data.reason, 'trial_ended');
    });

    it('should downgrade at the period end, not before', async () => {
      setTime(host, '2028-04-01T00:00:00Z');
      const t = await createBillingTenant(host, 'down', 'team');
      setTime(host, '2028-04-16T00:00:00Z'); // trial over (14 days); close it first
      await closePeriods(host);
      const res = await post(t.key, 'downgrade', { tier: 'pro' }).expect(200);
      assert.equal(res.body.tier, 'team');
      assert.equal(res.body.pendingTier, 'pro');
      assert.equal(await tenantTier(t.id), 'team');
      setTime(host, res.body.currentPeriodEnd);
      await closePeriods(host);
      const after = (await get(t.key).expect(200)).body;
      assert.equal(after.tier, 'pro');
      assert.equal(after.pendingTier, null);
      assert.equal(await tenantTier(t.id), 'pro');
      assert.equal(host.events.of('subscription.updated', t.id).at(-1)?.data.reason, 'downgraded');
    });

    it('should cancel at the period end, then fall back to free', async () => {
      setTime(host, '2028-06-01T00:00:00Z');
      const t = await createBillingTenant(host, 'quit-later', 'free');
      await post(t.key, 'upgrade', { tier: 'pro' }).expect(200);
      const res = await post(t.key, 'cancel', { atPeriodEnd: true }).expect(200);
      assert.equal(res.body.cancelAtPeriodEnd, true);
      assert.equal(res.body.status, 'active');
      setTime(host, '2028-07-01T00:00:00Z');
      await closePeriods(host);
      const after = (await get(t.key).expect(200)).body;
      assert.equal(after.status, 'canceled');
      assert.equal(after.tier, 'free');
      assert.equal(after.canceledAt, '2028-07-01T00:00:00.000Z');
      assert.equal(await tenantTier(t.id), 'free');
    });

    it('should cancel now, closing the period at once over the usage so far', async () => {
      setTime(host, '2028-08-01T00:00:00Z');
      const t = await createBillingTenant(host, 'quit-now', 'free');
      await post(t.key, 'upgrade', { tier: 'pro' }).expect(200);
      setTime(host, '2028-08-11T00:00:00Z');
      const res = await post(t.key, 'cancel', { atPeriodEnd: false }).expect(200);
      assert.equal(res.body.status, 'canceled');
      assert.equal(res.body.tier, 'free');
      const [invoice] = (await host.http().get('/v1/invoices').set(bearer(t.key)).expect(200)).body.items;
      assert.equal(invoice.status, 'open');
      assert.equal(invoice.periodEnd, '2028-08-11T00:00:00.000Z');
      assert.equal(host.events.of('invoice.finalized', t.id).length, 1);
      // Canceled is final: no more changes.
      const again = await post(t.key, 'upgrade', { tier: 'team' }).expect(409);
      assert.equal(again.body.error.code, 'conflict');
    });

    it('should refuse an upgrade to a lower or equal tier and a downgrade to a higher one with 409 conflict', async () => {
      setTime(host, '2028-09-01T00:00:00Z');
      const t = await createBillingTenant(host, 'refuse', 'free');
      await post(t.key, 'upgrade', { tier: 'team' }).expect(200);
      for (const tier of ['team', 'pro', 'free']) {
        const res = await post(t.key, 'upgrade', { tier }).expect(409);
        assert.equal(res.body.error.code, 'conflict');
        assert.deepEqual(res.body.error.details, { currentTier: 'team', requestedTier: tier });
      }
      for (const tier of ['team', 'enterprise']) {
        const res = await post(t.key, 'downgrade', { tier }).expect(409);
        assert.equal(res.body.error.code, 'conflict');
      }
      assert.equal(await tenantTier(t.id), 'team', 'a refusal changes nothing');
    });

    it('should refuse invalid bodies with 400 invalid_request', async () => {
      const t = await createBillingTenant(host, 'bodies', 'free');
      const cases: [string, unknown][] = [
        ['upgrade', {}],
        ['upgrade', { tier: 'platinum' }],
        ['upgrade', { tier: 'pro', extra: 1 }],
        ['downgrade', { tier: 3 }],
        ['cancel', {}],
        ['cancel', { atPeriodEnd: 'yes' }],
        ['upgrade', undefined],
      ];
      for (const [path, body] of cases) {
        const res = await post(t.key, path, body as object).expect(400);
        assert.equal(res.body.error.code, 'invalid_request', `${path} ${JSON.stringify(body)}`);
      }
    });

    it('should answer 401 without a key and 403 without the scope', async () => {
      const t = await createBillingTenant(host, 'scopes', 'free');
      await host.http().get('/v1/subscription').expect(401);
      await host.http().post('/v1/subscription/upgrade').send({ tier: 'pro' }).expect(401);
      for (const path of ['upgrade', 'downgrade', 'cancel']) {
        const res = await post(t.readKey, path, { tier: 'pro', atPeriodEnd: true }).expect(403);
        assert.equal(res.body.error.code, 'forbidden');
      }
      const other = await host.http().post(`/v1/tenants/${t.id}/api-keys`).set(bearer(host.adminKey)).send({ name: 'x', scopes: ['plugins:install'] });
      const res = await get(other.body.key).expect(403);
      assert.equal(res.body.error.code, 'forbidden');
    });

    it('should answer 404 for a tenant without a subscription (the operator)', async () => {
      const res = await get(host.adminKey).expect(404);
      assert.equal(res.body.error.code, 'not_found');
    });

    it('should log every subscription change in the append-only billing audit log', async () => {
      const t = await createBillingTenant(host, 'audited', 'free');
      await post(t.key, 'upgrade', { tier: 'pro' }).expect(200);
      await post(t.key, 'downgrade', { tier: 'free' }).expect(200);
      const rows = await host.deps.db('billing_audit_log').where({ tenant_id: t.id, entity: 'subscription' }).orderBy('id');
      assert.deepEqual(rows.map((r) => r.action), ['created', 'upgraded', 'downgrade_scheduled']);
      assert.equal(rows[0].actor_type, 'system');
      assert.equal(rows[1].actor_type, 'key');
      await assert.rejects(host.deps.db('billing_audit_log').where({ id: rows[0].id }).update({ action: 'x' }), /append-only/);
      await assert.rejects(host.deps.db('billing_audit_log').where({ id: rows[0].id }).del(), /append-only/);
    });
  });
}
