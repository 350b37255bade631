/**
 * Execution admission contract (quota reservation + concurrency lease in one
 * step): the same assertions on every configured backend, and the same
 * answers as `quota.reserve` followed by `concurrency.acquire`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AdmissionRequest, QuotaPolicy, UsageSource } from '../../../host/limits/index.js';
import { limitsBackends, useLimits } from '../../support/redis-backends.js';

const PERIOD = '2030-01';
const FREE: QuotaPolicy = { included: 3, hardLimit: true };
const PRO: QuotaPolicy = { included: 2, hardLimit: false };

function request(tenantId: string, quota: QuotaPolicy, maxConcurrent: number): AdmissionRequest {
  return { tenantId, period: PERIOD, quota, maxConcurrent, leaseMs: 60_000 };
}

for (const backend of limitsBackends) {
  describe(`execution admission contract (${backend.name})`, () => {
    const h = useLimits(backend);
    const limits = () => h.current.limits;

    it('should reserve and lease together, and refuse the hard quota without counting', async () => {
      const tenant = randomUUID();
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await limits().admission.admit(request(tenant, FREE, 10)));
      assert.deepEqual(answers.map((a) => (a.admitted ? a.reservation.used : a.refusal)), [1, 2, 3, 'quota_exceeded']);
      assert.deepEqual(answers[3], { admitted: false, refusal: 'quota_exceeded', reservation: { allowed: false, used: 3, included: 3, overage: 0 } });
      const first = answers[0]!;
      assert.ok(first.admitted);
      assert.equal(await limits().concurrency.release(first.token), true, 'the lease is a concurrency lease');
      assert.equal(await limits().quota.used(tenant, PERIOD), 3);
    });

    it('should count overage on a soft tier', async () => {
      const tenant = randomUUID();
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await limits().admission.admit(request(tenant, PRO, 10)));
      assert.deepEqual(answers.map((a) => (a.admitted ? a.reservation : null)), [
        { allowed: true, used: 1, included: 2, overage: 0 },
        { allowed: true, used: 2, included: 2, overage: 0 },
        { allowed: true, used: 3, included: 2, overage: 1 },
      ]);
    });

    it('should refuse at the concurrency cap without touching the quota, and admit again after a release', async () => {
      const tenant = randomUUID();
      const held = await limits().admission.admit(request(tenant, PRO, 1));
      assert.ok(held.admitted);
      assert.deepEqual(await limits().admission.admit(request(tenant, PRO, 1)), { admitted: false, refusal: 'concurrency_limited', active: 1 });
      assert.equal(await limits().quota.used(tenant, PERIOD), 1, 'the refused execution was not counted');
      await limits().concurrency.release(held.token);
      assert.equal((await limits().admission.admit(request(tenant, PRO, 1))).admitted, true);
    });

    it('should cap exactly across host processes', async () => {
      const tenant = randomUUID();
      const clients = [limits(), await h.current.openAnother(), await h.current.openAnother()];
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => clients[i % 3]!.admission.admit(request(tenant, { included: 20, hardLimit: true }, 5))));
      assert.equal(answers.filter((a) => a.admitted).length, 5);
      assert.equal(await limits().quota.used(tenant, PERIOD), 5, 'refusals are not counted');
      if (backend.name === 'redis') {
        // One script: a refused lease never held a reservation, so no one saw the quota as used up.
        assert.equal(answers.filter((a) => !a.admitted && a.refusal === 'concurrency_limited').length, 25);
      }
    });

    it('should rebuild a missing quota counter from the usage source first', async () => {
      const tenant = randomUUID();
      const usage: UsageSource = { executionsIn: async () => 41 };
      const restarted = await h.current.openWith({ usage });
      const answer = await restarted.admission.admit(request(tenant, PRO, 10));
      assert.ok(answer.admitted);
      assert.equal(answer.reservation.used, 42);
    });

    it('should refuse invalid arguments as programming errors', async () => {
      await assert.rejects(limits().admission.admit({ ...request('t', PRO, 1), maxConcurrent: -1 }), RangeError);
      await assert.rejects(limits().admission.admit({ ...request('t', PRO, 1), leaseMs: 0 }), RangeError);
      await assert.rejects(limits().admission.admit({ ...request('t', PRO, 1), period: '2030-13' }), RangeError);
    });
  });
}
