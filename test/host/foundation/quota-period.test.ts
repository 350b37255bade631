/**
 * Which quota period an instant falls in: calendar months without a
 * subscription, the subscription's billing periods (the trial, then monthly
 * from the anchor, the day clamped to short months) with one.
 */
import assert from 'node:assert/strict';
import { periodExpiresAtMs, PERIOD_GRACE_MS } from '../../../host/limits/limit-keys.js';
import { type BillingCycle, parseQuotaPeriod, quotaPeriodFor } from '../../../host/foundation/quota-period.js';

const at = (iso: string) => new Date(iso);

describe('quota periods', () => {
  it('should use calendar months (UTC) without a subscription', () => {
    assert.equal(quotaPeriodFor(null, at('2033-02-28T23:59:59Z')), '2033-02');
    assert.deepEqual(parseQuotaPeriod('2033-12'), { start: at('2033-12-01T00:00:00Z'), end: at('2034-01-01T00:00:00Z') });
  });

  it('should follow the anchor, not the 1st, and clamp the day to short months', () => {
    const cycle: BillingCycle = { anchor: at('2032-01-31T12:00:00Z'), periodStart: at('2032-01-31T12:00:00Z') };
    assert.equal(quotaPeriodFor(cycle, at('2032-02-01T00:00:00Z')), '2032-01-31T12:00:00.000Z/2032-02-29T12:00:00.000Z');
    assert.equal(quotaPeriodFor(cycle, at('2032-02-29T12:00:00Z')), '2032-02-29T12:00:00.000Z/2032-03-31T12:00:00.000Z');
    // Periods the stored subscription has not reached yet (not closed, or canceled): from the anchor all the same.
    assert.equal(quotaPeriodFor(cycle, at('2033-05-01T00:00:00Z')), '2033-04-30T12:00:00.000Z/2033-05-31T12:00:00.000Z');
  });

  it('should count the trial as its own period, up to the anchor', () => {
    const cycle: BillingCycle = { anchor: at('2032-03-15T00:00:00Z'), periodStart: at('2032-03-01T00:00:00Z') };
    assert.equal(quotaPeriodFor(cycle, at('2032-03-14T23:59:59Z')), '2032-03-01T00:00:00.000Z/2032-03-15T00:00:00.000Z');
    assert.equal(quotaPeriodFor(cycle, at('2032-03-15T00:00:00Z')), '2032-03-15T00:00:00.000Z/2032-04-15T00:00:00.000Z');
  });

  it('should keep a period counter a grace week past its end, and refuse malformed names', () => {
    const period = '2032-03-15T00:00:00.000Z/2032-04-15T00:00:00.000Z';
    assert.equal(periodExpiresAtMs(period), at('2032-04-15T00:00:00Z').getTime() + PERIOD_GRACE_MS);
    for (const bad of ['2032-3', '2032-04-15T00:00:00.000Z/2032-03-15T00:00:00.000Z', '2032-03-15/2032-04-15', 'x/y']) {
      assert.throws(() => parseQuotaPeriod(bad), RangeError, bad);
    }
  });
});
