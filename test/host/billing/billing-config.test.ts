/** The `billing` section of the host config: defaults, overrides, refusals. */
import assert from 'node:assert/strict';
import { loadConfig } from '../../../host/foundation/config.js';

describe('billing config', () => {
  it('should default to 10% tax, 14-day trials and grace, a 70% author share and a one-minute scheduler', () => {
    assert.deepEqual(loadConfig({}).billing, {
      taxRateBps: 1_000,
      gracePeriodDays: 14,
      trialDays: 14,
      authorRevenueShareBps: 7_000,
      schedulerIntervalMs: 60_000,
    });
    assert.ok(Object.isFrozen(loadConfig({}).billing));
  });

  it('should read overrides from the environment', () => {
    const { billing } = loadConfig({
      BAZAAR_BILLING_TAX_RATE_BPS: '2000',
      BAZAAR_BILLING_GRACE_PERIOD_DAYS: '0',
      BAZAAR_BILLING_TRIAL_DAYS: '0',
      BAZAAR_BILLING_AUTHOR_SHARE_BPS: '8500',
      BAZAAR_BILLING_SCHEDULER_INTERVAL_MS: '5000',
    });
    assert.deepEqual(billing, { taxRateBps: 2_000, gracePeriodDays: 0, trialDays: 0, authorRevenueShareBps: 8_500, schedulerIntervalMs: 5_000 });
  });

  it('should refuse values out of range', () => {
    for (const [name, value] of [
      ['BAZAAR_BILLING_TAX_RATE_BPS', '10001'],
      ['BAZAAR_BILLING_TAX_RATE_BPS', '0.5'],
      ['BAZAAR_BILLING_AUTHOR_SHARE_BPS', '-1'],
      ['BAZAAR_BILLING_SCHEDULER_INTERVAL_MS', '10'],
      ['BAZAAR_BILLING_TRIAL_DAYS', 'two'],
    ] as const) {
      assert.throws(() => loadConfig({ [name]: value }), (err: { code?: string; message: string }) => err.code === 'invalid_request' && err.message.includes(name));
    }
  });
});
