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

    it('should admit while CPU budget is left, charge what executions used on finish, and refuse once it is spent', async () => {
      const tenant = randomUUID();
      const budgeted = (): AdmissionRequest => ({ ...request(tenant, PRO, 10), cpuBudgetMs: 600 });
      const first = await limits().admission.admit(budgeted());
      assert.ok(first.admitted);
      assert.deepEqual(first.cpuBudget, { limitMs: 600, remainingMs: 600 });
      await limits().admission.finish(first.token, { tenantId: tenant, cpuMs: 400, cpuBudgetMs: 600 });
      // Another host process charges the same budget.
      const other = await h.current.openAnother();
      const second = await other.admission.admit(budgeted());
      assert.ok(second.admitted);
      assert.ok(second.cpuBudget !== null && second.cpuBudget.remainingMs <= 200 && second.cpuBudget.remainingMs >= 190, JSON.stringify(second.cpuBudget));
      await other.admission.finish(second.token, { tenantId: tenant, cpuMs: 300, cpuBudgetMs: 600 });
      const refused = await limits().admission.admit(budgeted());
      assert.equal(refused.admitted, false);
      assert.ok(!refused.admitted && refused.refusal === 'cpu_budget_spent');
      if (!refused.admitted && refused.refusal === 'cpu_budget_spent') {
        assert.deepEqual(refused.cpuBudget, { limitMs: 600, remainingMs: 0 });
        assert.ok(refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 60, String(refused.retryAfterSeconds));
      }
      assert.equal(await limits().quota.used(tenant, PERIOD), 2, 'a refusal for CPU is not counted');
      // The leases were given back on finish, and a tier without a budget is not held by the spent one.
      const unbudgeted = await limits().admission.admit({ ...request(tenant, PRO, 1) });
      assert.ok(unbudgeted.admitted, 'without a budget the spent one does not apply, and no lease was left behind');
      assert.equal(unbudgeted.cpuBudget, null);
    });

    it('should refuse invalid arguments as programming errors', async () => {
      await assert.rejects(limits().admission.admit({ ...request('t', PRO, 1), maxConcurrent: -1 }), RangeError);
      await assert.rejects(limits().admission.admit({ ...request('t', PRO, 1), leaseMs: 0 }), RangeError);
      await assert.rejects(limits().admission.admit({ ...request('t', PRO, 1), period: '2030-13' }), RangeError);
    });
  });
}
