/**
 * How tenants and periods become counter keys, and argument checks shared by
 * both implementations.
 *
 * Tenant ids are hashed (SHA-256, base64url) rather than embedded: an id with
 * `:` could otherwise collide with another key's layout (`a:b` + `c` vs `a` +
 * `b:c`), `*` or `?` would turn key patterns into wildcards, and a megabyte id
 * would make a megabyte key. The digest is fixed-length and uses only
 * `[A-Za-z0-9_-]`.
 */
import { createHash } from 'node:crypto';
import { calendarQuotaPeriod, parseQuotaPeriod } from '../foundation/quota-period.js';

/** A fixed-length, key-safe name for a tenant id (43 characters of `[A-Za-z0-9_-]`). */
export function tenantDigest(tenantId: string): string {
  if (typeof tenantId !== 'string') throw new TypeError('tenantId must be a string');
  return createHash('sha256').update(tenantId, 'utf8').digest('base64url');
}

/** The calendar-month quota period (`YYYY-MM`, UTC) that `date` falls in; tenants with a subscription use `quotaPeriodFor` (quota-period.ts). */
export function quotaPeriod(date: Date): string {
  return calendarQuotaPeriod(date);
}

/**
 * How long a period's counter is kept after the period ends: long enough for
 * late readers (usage pages, invoicing) of the previous period, short enough
 * that counters do not pile up.
 */
export const PERIOD_GRACE_MS = 7 * 24 * 60 * 60 * 1000;

/** Milliseconds since the epoch at which the counter of `period` (`YYYY-MM` or `<start>/<end>`) may be dropped. */
export function periodExpiresAtMs(period: string): number {
  return parseQuotaPeriod(period).end.getTime() + PERIOD_GRACE_MS;
}

/** Throws a `RangeError` unless `value` is an integer ≥ `min`: a programming error, not a client one. */
export function assertInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
}

/** The Redis key of a tenant's quota counter in `period` (validates the period). */
export function quotaKey(keyPrefix: string, tenantId: string, period: string): string {
  periodExpiresAtMs(period); // validates the period before it becomes part of a key
  return `${keyPrefix}quota:${period}:${tenantDigest(tenantId)}`;
}

/** The Redis key of a tenant's concurrency lease set, by tenant digest. */
export function leaseKey(keyPrefix: string, digest: string): string {
  return `${keyPrefix}leases:${digest}`;
}

/** The Redis key of a tenant's CPU budget (the time its bucket is empty again), by tenant digest. */
export function cpuBudgetKey(keyPrefix: string, digest: string): string {
  return `${keyPrefix}cpu:${digest}`;
}
