/**
 * GET /v1/usage (docs/http-api.md "Billing, usage and analytics"): a tenant's
 * executions, CPU and wall time over a range, by status and by error code,
 * optionally grouped by UTC day or by plugin, plus the current quota period's
 * `{included, used, remaining}`: the subscription's billing period (the one its
 * invoice will be for), or the calendar month for a tenant without one
 * (foundation/quota-period.ts).
 *
 * Everything is counted from the usage ledger (the durable truth), not from
 * the quota counters: a page a tenant reconciles its invoice against must
 * agree with billing, which reads the same rows.
 */
import { BazaarError } from '../../manifests/errors.js';
import type { Clock } from '../foundation/clock.js';
import { parseQuotaPeriod, quotaPeriodFor } from '../foundation/quota-period.js';
import type { UsageAggregate, UsageGrouping, UsageStore } from './ports.js';
import type { AuthenticatedTenant } from '../foundation/tenant.js';
import { effectiveLimits } from '../foundation/tenant-settings.js';
import type { TierTable } from '../foundation/tiers.js';
import type { ExecutionStatus } from './usage-record.js';

type Query = Readonly<Record<string, string | string[] | undefined>>;

/** The widest range one request may sum: a year, so a request's cost stays bounded. */
export const MAX_USAGE_RANGE_MS = 366 * 24 * 60 * 60 * 1000;

export interface UsageQuery {
  /** Inclusive. */
  readonly from: Date;
  /** Exclusive. */
  readonly to: Date;
  readonly groupBy: UsageGrouping;
}

export interface UsageNumbers {
  executions: number;
  cpuMs: number;
  wallMs: number;
  byStatus: Record<ExecutionStatus, number>;
  /** Failed executions per error code (`plugin_error`, `execution_timeout`, ...); only codes that occurred. */
  byErrorCode: Record<string, number>;
}

export interface UsageReport extends UsageNumbers {
  readonly from: string;
  readonly to: string;
  readonly groupBy: UsageGrouping;
  /** One entry per day (`day: YYYY-MM-DD`) or plugin (`plugin`) with executions; empty without `groupBy`. */
  readonly groups: (UsageNumbers & { day?: string; plugin?: string })[];
  readonly quota: {
    /** `YYYY-MM` (calendar month) or `<start>/<end>` (billing period), as the quota counter names it. */
    readonly period: string;
    readonly periodStart: string;
    readonly periodEnd: string;
    readonly included: number | null;
    readonly used: number;
    readonly remaining: number | null;
  };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Read `?from=&to=&groupBy=`: ISO-8601 dates (`2024-05-01`, UTC midnight) or
 * date-times with a zone. Default: the current UTC month. 400
 * `invalid_request` for anything malformed, an empty or inverted range, or a
 * range over `MAX_USAGE_RANGE_MS`.
 */
export function parseUsageQuery(query: Query, now: Date): UsageQuery {
  const [monthStart, nextMonth] = utcMonth(now);
  const { from, to } = parseTimeRange(query, { from: monthStart, to: nextMonth }, MAX_USAGE_RANGE_MS);
  const groupBy = query.groupBy;
  if (groupBy !== undefined && groupBy !== 'day' && groupBy !== 'plugin') {
    throw new BazaarError('invalid_request', 'groupBy must be day or plugin.');
  }
  return { from, to, groupBy: groupBy ?? null };
}

/**
 * `?from=&to=` as ISO-8601 instants (see parseUsageQuery), each defaulting to
 * `defaults`; 400 `invalid_request` when malformed, empty, inverted or wider
 * than `maxMs`. Shared by the usage and analytics reads.
 */
export function parseTimeRange(query: Query, defaults: { readonly from: Date; readonly to: Date }, maxMs: number): { from: Date; to: Date } {
  const from = parseInstant(query, 'from') ?? defaults.from;
  const to = parseInstant(query, 'to') ?? defaults.to;
  if (from.getTime() >= to.getTime()) throw new BazaarError('invalid_request', 'from must be before to.');
  if (to.getTime() - from.getTime() > maxMs) {
    throw new BazaarError('invalid_request', `The range may span at most ${Math.floor(maxMs / 86_400_000)} days.`);
  }
  return { from, to };
}

function parseInstant(query: Query, name: string): Date | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const invalid = () => new BazaarError('invalid_request', `${name} must be an ISO-8601 date or date-time with a time zone.`);
  if (typeof raw !== 'string') throw invalid();
  const match = DATE.exec(raw) ?? DATE_TIME.exec(raw);
  if (match === null) throw invalid();
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Date would roll 2024-02-30 over into March; refuse it instead.
  const calendar = new Date(0);
  calendar.setUTCFullYear(year, month - 1, day); // not Date.UTC, which reads years 0–99 as 1900–1999
  const instant = new Date(DATE.test(raw) ? calendar.getTime() : Date.parse(raw));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day || Number.isNaN(instant.getTime())) throw invalid();
  return instant;
}

export interface UsageReportsDeps {
  readonly usage: UsageStore;
  readonly tiers: TierTable;
  readonly clock: Clock;
}

export class UsageReports {
  readonly #deps: UsageReportsDeps;

  constructor(deps: UsageReportsDeps) {
    this.#deps = deps;
  }

  /** The report for `tenant` (the caller's own, with its effective limits). */
  async report(tenant: AuthenticatedTenant, query: UsageQuery): Promise<UsageReport> {
    const period = quotaPeriodFor(tenant.billingCycle, this.#deps.clock.now());
    const window = parseQuotaPeriod(period);
    const [aggregates, used] = await Promise.all([
      this.#deps.usage.aggregate(tenant.id, query.from, query.to, query.groupBy),
      this.#deps.usage.countBetween(tenant.id, window.start, window.end),
    ]);
    const included = effectiveLimits(tenant, this.#deps.tiers).executionsPerMonth;
    return {
      from: query.from.toISOString(),
      to: query.to.toISOString(),
      groupBy: query.groupBy,
      ...sum(aggregates),
      groups: query.groupBy === null ? [] : groupsOf(aggregates, query.groupBy),
      quota: {
        period,
        periodStart: window.start.toISOString(),
        periodEnd: window.end.toISOString(),
        included,
        used,
        remaining: included === null ? null : Math.max(0, included - used),
      },
    };
  }
}

/** The UTC month `now` is in: [its first instant, the next month's first instant). */
function utcMonth(now: Date): [Date, Date] {
  return [
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  ];
}

function groupsOf(aggregates: readonly UsageAggregate[], groupBy: 'day' | 'plugin'): UsageReport['groups'] {
  // The repository answers ordered by group, so one pass collects each group's statuses.
  const groups = new Map<string, UsageAggregate[]>();
  for (const a of aggregates) {
    const key = a.group ?? '';
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  return [...groups].map(([key, rows]) => ({ [groupBy]: key, ...sum(rows) }));
}

function sum(rows: readonly UsageAggregate[]): UsageNumbers {
  const total: UsageNumbers = { executions: 0, cpuMs: 0, wallMs: 0, byStatus: { succeeded: 0, failed: 0 }, byErrorCode: {} };
  for (const r of rows) {
    total.executions += r.executions;
    total.cpuMs += r.cpuMs;
    total.wallMs += r.wallMs;
    total.byStatus[r.status] += r.executions;
    if (r.errorCode !== null) total.byErrorCode[r.errorCode] = (total.byErrorCode[r.errorCode] ?? 0) + r.executions;
  }
  // Sums of fractional milliseconds: round to the microsecond so clients never see 0.30000000000000004.
  total.cpuMs = Math.round(total.cpuMs * 1000) / 1000;
  total.wallMs = Math.round(total.wallMs * 1000) / 1000;
  return total;
}
