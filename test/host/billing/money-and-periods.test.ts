/** Money rounding and billing-period arithmetic (no database). */
import assert from 'node:assert/strict';
import { addMonths, periodOf, secondsBetween } from '../../../host/foundation/billing-period.js';
import { divRound, microsToCents, overageCents, prorationCents, shareCents, taxCents } from '../../../host/billing/money.js';

describe('billing periods', () => {
  it('should clamp a Jan 31 anchor to the end of February and return to the 31st after', () => {
    const anchor = new Date('2027-01-31T10:00:00Z');
    assert.equal(addMonths(anchor, 1).toISOString(), '2027-02-28T10:00:00.000Z');
    assert.equal(addMonths(anchor, 2).toISOString(), '2027-03-31T10:00:00.000Z');
    assert.equal(addMonths(anchor, 3).toISOString(), '2027-04-30T10:00:00.000Z');
    assert.equal(addMonths(anchor, 12).toISOString(), '2028-01-31T10:00:00.000Z');
  });

  it('should end February on the 29th in a leap year', () => {
    const anchor = new Date('2028-01-31T00:00:00Z');
    assert.equal(addMonths(anchor, 1).toISOString(), '2028-02-29T00:00:00.000Z');
    assert.equal(addMonths(new Date('2028-02-29T00:00:00Z'), 12).toISOString(), '2029-02-28T00:00:00.000Z');
  });

  it('should cross a year end', () => {
    assert.deepEqual(periodOf(new Date('2030-12-15T00:00:00Z'), 1), {
      start: new Date('2030-12-15T00:00:00Z'),
      end: new Date('2031-01-15T00:00:00Z'),
    });
  });

  it('should count whole seconds', () => {
    assert.equal(secondsBetween(new Date('2028-02-01T00:00:00Z'), new Date('2028-03-01T00:00:00Z')), 29 * 86_400);
    assert.equal(secondsBetween(new Date('2028-02-01T00:00:00.999Z'), new Date('2028-02-01T00:00:02.500Z')), 1);
    assert.equal(secondsBetween(new Date('2028-02-02T00:00:00Z'), new Date('2028-02-01T00:00:00Z')), 0);
  });
});

describe('money', () => {
  it('should round half away from zero', () => {
    assert.equal(divRound(5n, 2n), 3n);
    assert.equal(divRound(-5n, 2n), -3n);
    assert.equal(divRound(4n, 3n), 1n);
    assert.equal(divRound(-4n, 3n), -1n);
    assert.equal(divRound(0n, 7n), 0n);
  });

  it('should prorate by seconds remaining', () => {
    // pro → team with half of a 30-day period left: (19900 − 4900) / 2.
    assert.equal(prorationCents(4_900, 19_900, 15 * 86_400, 30 * 86_400), 7_500);
    // 14 of 29 days (leap February): 4900 × 14/29 = 2365.52 → 2366.
    assert.equal(prorationCents(0, 4_900, 14 * 86_400, 29 * 86_400), 2_366);
    assert.equal(prorationCents(0, 4_900, 0, 29 * 86_400), 0);
  });

  it('should price overage, plugin fees, tax and shares in integers', () => {
    assert.equal(overageCents(1_010, 50), 51); // 50.5 → 51
    assert.equal(overageCents(1_001, 50), 50); // 50.05 → 50
    assert.equal(overageCents(999, 40), 40); // 39.96 → 40
    assert.equal(microsToCents(25_000n), 3); // 2.5 cents → 3
    assert.equal(microsToCents(24_999n), 2);
    assert.equal(taxCents(2_366, 1_000), 237);
    assert.equal(shareCents(3, 7_000), 2); // 2.1 → 2: the author never gets more than was charged
  });
});
