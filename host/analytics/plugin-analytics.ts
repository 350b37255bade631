/**
 * GET /v1/analytics/plugins/:name
 * (docs/http-api.md "Billing, usage and analytics"): the hourly series of every
 * version of a plugin, from the rolled-up aggregates.
 *
 * Who may read it: the publisher of the plugin's scope (a key with
 * `plugins:publish` of the tenant whose slug is the scope), reviewers
 * (`reviews:write`) and the operator. Any other tenant gets 404 `not_found`,
 * exactly like an unknown plugin: a plugin's analytics are its publisher's
 * resource, and other tenants' resources are answered 404, never 403
 * (docs/http-api.md "Errors"). (A key without any of those scopes is refused
 * 403 `forbidden` by the route, before any plugin is looked at.)
 */
import { BazaarError } from '../../manifests/errors.js';
import { isPublisherOf, isReviewer, type KeyActor } from '../../marketplace/actor.js';
import type { MarketplaceRepository } from '../../marketplace/ports.js';
import type { Clock } from '../foundation/clock.js';
import { parseTimeRange } from '../metering/usage-report.js';
import type { AnalyticsStore, HourlyAggregate } from './ports.js';
import { floorHour } from './usage-rollup.js';

type Query = Readonly<Record<string, string | string[] | undefined>>;

const DAY_MS = 24 * 60 * 60 * 1000;
/** Default range: the last 7 days, up to the end of the current hour. */
export const DEFAULT_ANALYTICS_RANGE_MS = 7 * DAY_MS;
/** The widest range one request may read: 92 days of hours per version. */
export const MAX_ANALYTICS_RANGE_MS = 92 * DAY_MS;

export interface AnalyticsRange {
  readonly from: Date;
  readonly to: Date;
}

/** `?from=&to=` (ISO-8601, as GET /v1/usage); 400 `invalid_request` for bad values. */
export function parseAnalyticsRange(query: Query, now: Date): AnalyticsRange {
  const to = new Date(floorHour(now).getTime() + 60 * 60 * 1000);
  return parseTimeRange(query, { from: new Date(to.getTime() - DEFAULT_ANALYTICS_RANGE_MS), to }, MAX_ANALYTICS_RANGE_MS);
}

export class PluginAnalytics {
  readonly #repository: Pick<AnalyticsStore, 'series'>;
  readonly #versions: Pick<MarketplaceRepository, 'listVersions'>;

  constructor(deps: { readonly repository: Pick<AnalyticsStore, 'series'>; readonly versions: Pick<MarketplaceRepository, 'listVersions'>; readonly clock: Clock }) {
    this.#repository = deps.repository;
    this.#versions = deps.versions;
  }

  /** The series of `name` for `actor`, or 404 (unknown plugin, or not the actor's to see). */
  async forPlugin(actor: KeyActor, name: string, range: AnalyticsRange) {
    const allowed = isReviewer(actor) || (isPublisherOf(actor, name) && actor.scopes.includes('plugins:publish'));
    if (!allowed || (await this.#versions.listVersions(name)).length === 0) {
      throw new BazaarError('not_found', `${name} was not found.`);
    }
    const rows = await this.#repository.series(name, range.from, range.to);
    const versions = new Map<string, HourlyAggregate[]>();
    for (const row of rows) versions.set(row.pluginVersion, [...(versions.get(row.pluginVersion) ?? []), row]);
    return {
      plugin: name,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      granularity: 'hour' as const,
      versions: [...versions].map(([version, series]) => ({ version, series: series.map(hourView) })),
    };
  }
}

/** One hour of one version. Hours without executions are left out. */
function hourView(a: HourlyAggregate) {
  return {
    hour: a.hour.toISOString(),
    executions: a.executions,
    succeeded: a.succeeded,
    failed: a.failed,
    successRate: a.executions === 0 ? null : Math.round((a.succeeded / a.executions) * 10_000) / 10_000,
    timeouts: a.timeouts,
    memoryLimitExceeded: a.memoryLimitHits,
    pluginErrors: a.pluginErrors,
    invalidInputs: a.invalidInputs,
    cpuMs: { total: micro(a.cpuMsSum), p50: micro(a.cpuMsP50), p95: micro(a.cpuMsP95) },
    wallMs: { total: micro(a.wallMsSum), p50: micro(a.wallMsP50), p95: micro(a.wallMsP95) },
  };
}

/** Fractional milliseconds to the microsecond (no 0.30000000000000004 in answers). */
function micro(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
