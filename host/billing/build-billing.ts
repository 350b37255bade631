/**
 * Wiring of the billing area for `buildDeps`. The scheduler is built here but
 * started by the server (`startServer`), so test hosts close periods only when
 * a test asks; `closeDeps` stops it.
 */
import type { Knex } from 'knex';
import type { CacheGeneration } from '../foundation/cache-generation.js';
import type { Clock } from '../foundation/clock.js';
import type { Config } from '../foundation/config.js';
import type { EventPublisher } from '../webhooks/domain-events.js';
import type { Logger } from '../foundation/logger.js';
import { BillingAuditRepository } from './billing-audit-repository.js';
import { BillingUsageQueries } from './billing-usage-queries.js';
import { knexTransactor } from '../foundation/database/knex-transaction.js';
import { InvoiceRepository } from './invoice-repository.js';
import { SubscriptionRepository } from './subscription-repository.js';
import type { TenantRepository } from '../tenants/tenant-repository.js';
import type { TenantService } from '../tenants/tenant-service.js';
import { PeriodicTask } from '../foundation/periodic-task.js';
import { InvoiceService } from './invoice-service.js';
import { ExternalPaymentProvider, type PaymentProvider } from './payment-provider.js';
import { PeriodCloser } from './period-closer.js';
import { SubscriptionService } from './subscription-service.js';

export interface Billing {
  readonly subscriptions: SubscriptionService;
  readonly invoices: InvoiceService;
  readonly periods: PeriodCloser;
  /** Closes due periods on every host (the closer's row locks keep each close exactly once). */
  readonly scheduler: PeriodicTask<void>;
}

export interface BuildBillingOptions {
  readonly db: Knex;
  readonly clock: Clock;
  readonly config: Config;
  readonly logger: Logger;
  readonly events: EventPublisher;
  readonly tenantRepository: TenantRepository;
  /** Late-bound: the tenant service is built with billing's `onCreated` hook. */
  readonly tenantService: () => TenantService;
  readonly paymentProvider?: PaymentProvider;
  /** Bumped when a billing period moves: the period is cached with the tenant's API keys. */
  readonly cacheGeneration: Pick<CacheGeneration, 'bump'>;
}

export function buildBilling(options: BuildBillingOptions): Billing {
  const deps = {
    db: knexTransactor(options.db),
    clock: options.clock,
    tiers: options.config.tiers,
    config: options.config.billing,
    subscriptions: new SubscriptionRepository(options.db, options.cacheGeneration),
    invoices: new InvoiceRepository(options.db),
    audit: new BillingAuditRepository(),
    usage: new BillingUsageQueries(),
    tenantRepository: options.tenantRepository,
    tenantService: { changeTier: (...args: Parameters<TenantService['changeTier']>) => options.tenantService().changeTier(...args) },
    events: options.events,
  };
  const periods = new PeriodCloser(deps);
  return {
    subscriptions: new SubscriptionService(deps, periods),
    invoices: new InvoiceService(deps, periods, options.paymentProvider ?? new ExternalPaymentProvider()),
    periods,
    scheduler: new PeriodicTask({
      name: 'billing: close due periods',
      intervalMs: options.config.billing.schedulerIntervalMs,
      run: () => closeDueAndLog(periods, options.logger),
      logger: options.logger,
    }),
  };
}

/** One scheduler run: close what is due, and say so when something was. */
async function closeDueAndLog(periods: PeriodCloser, logger: Logger): Promise<void> {
  const report = await periods.closeDue();
  if (report.closed.length > 0 || report.pastDue.length > 0) {
    logger.info({ closed: report.closed.length, pastDue: report.pastDue.length }, 'billing periods closed');
  }
}
