/**
 * Webhook deliveries end to end on every backend, to a real receiver on
 * loopback (private networks allowed in this suite's config): signatures
 * verified with the secret, retries on the backoff schedule driven by the
 * clock (500s and a timeout), giving up after 24 h+, redelivery, and two
 * dispatchers (two hosts on one database) never sending one delivery twice.
 * A second suite, private networks NOT allowed, shows a DNS name resolving to
 * loopback refused at delivery.
 */
import assert from 'node:assert/strict';
import { retryDelayMs } from '../../../host/foundation/retry-schedule.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import { bearer, createKey, createTenant, startTestHost, type TestHost } from '../../support/test-host.js';
import { type Receiver, startReceiver, verified } from './receiver.js';

interface DeliveryJson {
  id: string;
  eventId: string;
  status: string;
  attemptCount: number;
  nextAttemptAt: string | null;
  redeliveryOf: string | null;
  attempts: { attempt: number; startedAt: string; statusCode: number | null; error: string | null; durationMs: number }[];
}

/** A tenant with a webhooks:write key and one subscription to `install.upgraded` at `url`. */
async function subscriber(host: TestHost, slug: string, url: string) {
  const tenant = await createTenant(host, { slug });
  const key = (await createKey(host, tenant.id, ['webhooks:write'])).key;
  const res = await host.http().post('/v1/webhooks').set(bearer(key)).send({ url: `${url}/${slug}`, events: ['install.upgraded'] });
  if (res.status !== 201) throw new Error(`create webhook: ${res.status} ${JSON.stringify(res.body)}`);
  return { tenantId: tenant.id, key, webhookId: res.body.id as string, secret: res.body.secret as string };
}

async function deliveries(host: TestHost, key: string, webhookId: string): Promise<DeliveryJson[]> {
  return (await host.http().get(`/v1/webhooks/${webhookId}/deliveries`).set(bearer(key)).expect(200)).body.items as DeliveryJson[];
}

for (const backend of backends) {
  describe(`webhook deliveries (${backend.name})`, () => {
    const database = useDatabase(backend, { BAZAAR_ALLOW_PRIVATE_NETWORKS: '1', BAZAAR_WEBHOOK_TIMEOUT_MS: '2000' });
    let host: TestHost;
    let receiver: Receiver;

    before(async () => {
      host = await startTestHost(database.current);
      receiver = await startReceiver();
    });

    after(async () => {
      await host?.close();
      await receiver?.close();
    });

    beforeEach(() => {
            receiver.answer = () => 200;
    });

    it('should deliver a signed event the receiver can verify with the secret', async () => {
      const sub = await subscriber(host, 'd-signed', receiver.url);
      await host.deps.events.publish([{ type: 'install.upgraded', tenantId: sub.tenantId, data: { installId: 'i-1', toVersion: '1.1.0' } }]);
      assert.equal(await host.deps.webhookDispatcher.runOnce(), 1);
      assert.equal(receiver.at('d-signed').length, 1);
      const request = receiver.at('d-signed')[0]!;
      const event = verified(request, sub.secret);
      assert.equal(event.type, 'install.upgraded');
      assert.deepEqual(event.data, { installId: 'i-1', toVersion: '1.1.0' });
      assert.equal(request.headers['bazaar-event-id'], event.id);
      assert.equal(request.headers['content-type'], 'application/json');
      const [t] = /t=(\d+)/.exec(request.headers['bazaar-signature'] as string)!.slice(1);
      assert.equal(Number(t), Math.floor(host.clock.now().getTime() / 1000));
      // A wrong secret does not verify.
      assert.throws(() => verified(request, 'whsec_' + '0'.repeat(64)));

      const [d] = await deliveries(host, sub.key, sub.webhookId);
      assert.equal(d!.status, 'delivered');
      assert.equal(d!.nextAttemptAt, null);
      assert.equal(d!.eventId, event.id);
      assert.deepEqual(d!.attempts.map((a) => [a.attempt, a.statusCode, a.error]), [[1, 200, null]]);
      // Nothing left to send.
      assert.equal(await host.deps.webhookDispatcher.runOnce(), 0);
    });

    it('should retry a failing receiver on the backoff schedule, then give up after 24 h', async () => {
      const sub = await subscriber(host, 'd-retry', receiver.url);
      // 500, then a hang (the per-attempt timeout), then 500s.
      receiver.answer = () => (receiver.at('d-retry').length === 2 ? 'hang' : 500);
      await host.deps.events.publish([{ type: 'install.upgraded', tenantId: sub.tenantId, data: {} }]);
      const first = host.clock.now().getTime();
      const config = host.deps.config.webhooks;
      for (let attempt = 1; attempt <= config.maxAttempts; attempt++) {
        assert.equal(await host.deps.webhookDispatcher.runOnce(), 1, `attempt ${attempt}`);
        const [d] = await deliveries(host, sub.key, sub.webhookId);
        assert.equal(d!.attemptCount, attempt);
        const delay = retryDelayMs(config, attempt);
        if (delay === null) {
          assert.equal(d!.status, 'failed');
          assert.equal(d!.nextAttemptAt, null);
          break;
        }
        assert.equal(d!.status, 'pending');
        assert.equal(new Date(d!.nextAttemptAt!).getTime(), host.clock.now().getTime() + delay);
        // Not due a moment before its time.
        host.clock.advance(delay - 1);
        assert.equal(await host.deps.webhookDispatcher.runOnce(), 0, `early ${attempt}`);
        host.clock.advance(1);
      }
      assert.ok(host.clock.now().getTime() - first >= 24 * 3600 * 1000, 'retried for at least 24 h');
      assert.equal(receiver.at('d-retry').length, config.maxAttempts);
      const [d] = await deliveries(host, sub.key, sub.webhookId);
      assert.equal(d!.attempts.length, config.maxAttempts);
      assert.deepEqual(d!.attempts.slice(0, 3).map((a) => a.statusCode), [500, null, 500]);
      assert.match(d!.attempts[1]!.error!, /timeout/);
      // Every attempt carries the same event id, for the receiver to dedupe.
      assert.equal(new Set(receiver.at('d-retry').map((r) => r.headers['bazaar-event-id'])).size, 1);
      // Given up: nothing more is sent.
      host.clock.advance(7 * 24 * 3600 * 1000);
      assert.equal(await host.deps.webhookDispatcher.runOnce(), 0);
    });

    it('should not follow redirects: a 3xx is a failed attempt', async () => {
      const sub = await subscriber(host, 'd-redirect', receiver.url);
      receiver.answer = () => 302;
      await host.deps.events.publish([{ type: 'install.upgraded', tenantId: sub.tenantId, data: {} }]);
      await host.deps.webhookDispatcher.runOnce();
      const [d] = await deliveries(host, sub.key, sub.webhookId);
      assert.deepEqual([d!.status, d!.attempts[0]!.statusCode], ['pending', 302]);
      assert.equal(receiver.at('d-redirect').length, 1);
      // Leave nothing due for the next tests.
      await host.http().delete(`/v1/webhooks/${sub.webhookId}`).set(bearer(sub.key)).expect(204);
    });

    it('should redeliver a delivery as a new one with the same event id', async () => {
      const sub = await subscriber(host, 'd-redeliver', receiver.url);
      await host.deps.events.publish([{ type: 'install.upgraded', tenantId: sub.tenantId, data: { v: 1 } }]);
      await host.deps.webhookDispatcher.runOnce();
      const [original] = await deliveries(host, sub.key, sub.webhookId);
      assert.equal(original!.status, 'delivered');

      host.clock.advance(1000);
      const res = await host.http().post(`/v1/webhooks/${sub.webhookId}/deliveries/${original!.id}/redeliver`).set(bearer(sub.key)).expect(202);
      assert.equal(res.body.redeliveryOf, original!.id);
      assert.equal(res.body.status, 'pending');
      assert.equal(res.body.eventId, original!.eventId);
      assert.equal(await host.deps.webhookDispatcher.runOnce(), 1);
      assert.equal(receiver.at('d-redeliver').length, 2);
      const [a, b] = receiver.at('d-redeliver').map((r) => verified(r, sub.secret));
      assert.equal(a!.id, b!.id);
      assert.deepEqual(a!.data, b!.data);
      const list = await deliveries(host, sub.key, sub.webhookId);
      assert.deepEqual(list.map((d) => [d.id, d.status]), [[res.body.id, 'delivered'], [original!.id, 'delivered']]);
      await host.http().post(`/v1/webhooks/${sub.webhookId}/deliveries/00000000-0000-4000-8000-000000000000/redeliver`).set(bearer(sub.key)).expect(404);
    });

    it('should never let two dispatchers send one delivery twice', async function twoDispatchers() {
      const other = await startTestHost(database.current, { db: await database.current.openAnother(), clock: host.clock });
      try {
        const sub = await subscriber(host, 'd-two', receiver.url);
        const events = Array.from({ length: 40 }, (_, i) => ({ type: 'install.upgraded' as const, tenantId: sub.tenantId, data: { i } }));
        await host.deps.events.publish(events);
        let rounds = 0;
        for (;;) {
          const [a, b] = await Promise.all([host.deps.webhookDispatcher.runOnce(), other.deps.webhookDispatcher.runOnce()]);
          if (a + b === 0) break;
          assert.ok(++rounds < 20, 'dispatching converges');
        }
        const ids = receiver.at('d-two').map((r) => r.headers['bazaar-delivery-id'] as string);
        const list = await deliveries(host, sub.key, sub.webhookId);
        assert.equal(list.length, 40);
        // Every delivery arrived, and exactly as often as attempts were recorded: no two
        // dispatchers ever held one delivery at once (a slow machine may time an attempt out,
        // which is then an honest, recorded attempt).
        for (const d of list) assert.equal(ids.filter((id) => id === d.id).length, d.attemptCount, d.id);
        assert.ok(list.filter((d) => d.status === 'delivered').length > 0);
      } finally {
        await other.close();
      }
    });

    it('should send a lease-expired delivery again (at-least-once after a crash)', async () => {
      const sub = await subscriber(host, 'd-lease', receiver.url);
      await host.deps.events.publish([{ type: 'install.upgraded', tenantId: sub.tenantId, data: {} }]);
      // A process claims it and dies before sending: the lease holds it, then it comes due again.
      const leaseMs = 60_000;
      const now = host.clock.now();
      const repo = (await import('../../../host/webhooks/webhook-repository.js')).WebhookRepository;
      const claimed = await new repo(host.deps.db).claimDue(now, new Date(now.getTime() + leaseMs), 100, '00000000-0000-4000-8000-00000000dead');
      assert.equal(claimed.length, 1);
      assert.equal(await host.deps.webhookDispatcher.runOnce(), 0);
      host.clock.advance(leaseMs);
      assert.equal(await host.deps.webhookDispatcher.runOnce(), 1);
      assert.equal(receiver.at('d-lease').length, 1);
    });
  });

  describe(`webhook deliveries without private networks (${backend.name})`, () => {
    const database = useDatabase(backend, { BAZAAR_WEBHOOK_TIMEOUT_MS: '1000' });
    let host: TestHost;
    let receiver: Receiver;

    before(async () => {
      host = await startTestHost(database.current);
      receiver = await startReceiver();
    });

    after(async () => {
      await host?.close();
      await receiver?.close();
    });

    it('should refuse at delivery a DNS name that resolves to loopback', async () => {
      const sub = await subscriber(host, 'p-localhost', `http://localhost:${receiver.port}/hook`);
      await host.deps.events.publish([{ type: 'install.upgraded', tenantId: sub.tenantId, data: {} }]);
      assert.equal(await host.deps.webhookDispatcher.runOnce(), 1);
      assert.equal(receiver.at('p-localhost').length, 0);
      const [d] = await deliveries(host, sub.key, sub.webhookId);
      assert.equal(d!.status, 'pending');
      assert.equal(d!.attempts[0]!.statusCode, null);
      assert.match(d!.attempts[0]!.error!, /refused: .*private or reserved/);
    });
  });
}
