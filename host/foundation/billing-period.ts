/**
 * Billing periods: monthly from an anchor instant, the day of month clamped to
 * the month's length (an anchor on Jan 31 gives Feb 28, or Feb 29 in a leap
 * year, then Mar 31). Each boundary is computed from the anchor, never from
 * the previous boundary, so a short month does not shift every later period.
 * All in UTC; anchors are whole seconds, so a period is a whole number of seconds.
 */

/** `anchor` plus `months` calendar months (UTC), the day clamped to the target month's last day. */
export function addMonths(anchor: Date, months: number): Date {
  const year = anchor.getUTCFullYear();
  const month = anchor.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(anchor.getUTCDate(), lastDay);
  return new Date(
    Date.UTC(year, month, day, anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds(), anchor.getUTCMilliseconds()),
  );
}

/** Period `n` (n ≥ 1) of an anchor: [anchor + (n−1) months, anchor + n months). */
export function periodOf(anchor: Date, n: number): { start: Date; end: Date } {
  return { start: addMonths(anchor, n - 1), end: addMonths(anchor, n) };
}

/** An instant truncated to whole seconds. */
export function wholeSeconds(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 1000) * 1000);
}

export const DAY_MS = 86_400_000;

/** Whole seconds from `from` to `to` (floored; never negative). */
export function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - from.getTime()) / 1000));
}
