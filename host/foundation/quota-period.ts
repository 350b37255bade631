/**
 * Which quota period an execution counts in. A tenant with a subscription
 * counts its monthly executions over the subscription's billing period (the
 * period its invoice is for), so the quota resets at the billing anchor, not
 * on the 1st, and the quota counter, `GET /v1/usage` and the invoice's
 * included/overage split all count the same window. A tenant without one
 * (the operator) counts calendar months (UTC).
 *
 * A period is named by a string, used as part of the counter's key:
 * - `YYYY-MM`: a calendar month (UTC);
 * - `<start>/<end>`: an ISO-8601 interval of two UTC instants, a billing period.
 *
 * The cycle comes with the tenant when the API key is authenticated (one
 * query; cached per process), so choosing the period costs no round trip.
 * It is computed from the anchor (as the billing periods are) rather than
 * taken as stored: a period that ended but has not been closed yet (the
 * scheduler runs every so often), or a subscription canceled mid-period,
 * still yields the period `now` is in, and a cached tenant cannot count in a
 * stale period. (The anchor never changes; a period change still bumps the
 * cache generation, see SubscriptionRepository.update.)
 *
 * A canceled subscription keeps counting in its anchor's monthly rhythm (on
 * the free tier): cancelling is never a way to reset the quota.
 */
import { addMonths, periodOf } from './billing-period.js';

/** The subscription's billing cycle, as the quota needs it. */
export interface BillingCycle {
  /** Monthly periods run from here (the trial's end, or the subscription's start). */
  readonly anchor: Date;
  /** The stored current period's start: before the anchor, the trial's start. */
  readonly periodStart: Date;
}

/** A quota period as instants: [start, end). */
export interface QuotaWindow {
  readonly start: Date;
  readonly end: Date;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const INSTANT = '(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{3})?Z)';
const INTERVAL = new RegExp(`^${INSTANT}/${INSTANT}$`);

/** The calendar month (`YYYY-MM`, UTC) that `date` falls in. */
export function calendarQuotaPeriod(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/** The quota period `now` falls in: the billing period of `cycle`, or the calendar month without one. */
export function quotaPeriodFor(cycle: BillingCycle | null, now: Date): string {
  if (cycle === null) return calendarQuotaPeriod(now);
  const window = billingWindow(cycle, now);
  return `${window.start.toISOString()}/${window.end.toISOString()}`;
}

/** The billing period of `cycle` that `now` is in (see the file comment). */
export function billingWindow(cycle: BillingCycle, now: Date): QuotaWindow {
  // Before the anchor: the trial (its stored end may have been moved to a cancellation; the anchor is its natural end).
  if (now.getTime() < cycle.anchor.getTime()) return { start: cycle.periodStart, end: cycle.anchor };
  // The period `now` is in, numbered as the billing side numbers them (the first starts at the anchor).
  return periodOf(cycle.anchor, monthsFrom(cycle.anchor, now) + 1);
}

/** The largest n ≥ 0 with anchor + n months ≤ at. */
function monthsFrom(anchor: Date, at: Date): number {
  let n = (at.getUTCFullYear() - anchor.getUTCFullYear()) * 12 + (at.getUTCMonth() - anchor.getUTCMonth());
  n = Math.max(0, n);
  while (n > 0 && addMonths(anchor, n).getTime() > at.getTime()) n--;
  while (addMonths(anchor, n + 1).getTime() <= at.getTime()) n++;
  return n;
}

/** The instants of a period name; a `RangeError` for anything else (a programming error). */
export function parseQuotaPeriod(period: string): QuotaWindow {
  const month = MONTH.exec(period);
  if (month !== null) {
    const [year, m] = [Number(month[1]), Number(month[2])];
    // Date.UTC rolls month 12 over into January of the next year.
    return { start: new Date(Date.UTC(year, m - 1, 1)), end: new Date(Date.UTC(year, m, 1)) };
  }
  const interval = INTERVAL.exec(period);
  if (interval !== null) {
    const start = new Date(interval[1] ?? '');
    const end = new Date(interval[2] ?? '');
    if (!Number.isNaN(start.getTime()) && !Number.isNaN(end.getTime()) && start < end) return { start, end };
  }
  throw new RangeError(`quota period must look like YYYY-MM or <start>/<end> (ISO-8601 UTC), got ${JSON.stringify(period)}`);
}
