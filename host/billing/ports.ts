/**
 * The storage ports of billing. The services take these; the knex
 * repositories and queries of this folder implement them. Billing writes take
 * the transaction of the change they belong to: a subscription, its invoice,
 * the tenant's tier, the audit log and the events move together.
 */
import type { Page, PageRequest } from '../foundation/pagination.js';
import type { Transaction } from '../foundation/transaction.js';
import type { Invoice, NewLine } from './invoice.js';
import type { Subscription } from './subscription.js';

export type SubscriptionChanges = Partial<Omit<Subscription, 'tenantId' | 'createdAt' | 'updatedAt'>>;

/**
 * Subscriptions. The billing cycle is cached with the tenant's API keys, so
 * a change that moves the period bumps the cache generation after commit.
 */
export interface SubscriptionStore {
  insert(sub: Subscription, tx: Transaction): Promise<void>;
  /** The tenant's subscription; `lock` takes its row lock until `tx` ends. */
  find(tenantId: string, tx?: Transaction, lock?: boolean): Promise<Subscription | null>;
  update(tenantId: string, changes: SubscriptionChanges, now: Date, tx: Transaction): Promise<Subscription>;
  /** One subscription whose period has ended, locked; one another process is closing is skipped. */
  claimDue(now: Date, tx: Transaction): Promise<Subscription | null>;
  /** One `active` subscription with an open invoice due before `now`, locked; others' are skipped. */
  claimOverdue(now: Date, tx: Transaction): Promise<Subscription | null>;
}

export interface Finalization {
  readonly status: 'open' | 'paid';
  readonly subtotalCents: number;
  readonly taxRateBps: number;
  readonly taxCents: number;
  readonly totalCents: number;
  readonly finalizedAt: Date;
  readonly dueAt: Date;
  readonly paidAt: Date | null;
}

export interface NewPayment {
  readonly invoiceId: string;
  readonly tenantId: string;
  readonly provider: string;
  readonly reference: string;
  readonly amountCents: number;
  readonly createdAt: Date;
}

/** Invoices, their lines and payments. Only drafts change; a finalized invoice is refused any change. */
export interface InvoiceStore {
  /** The draft of a period, created if absent (one per tenant and period start), locked. */
  ensureDraft(tenantId: string, period: { start: Date; end: Date }, now: Date, tx: Transaction): Promise<{ invoice: Invoice; created: boolean }>;
  /** End a draft's period early (an immediate cancellation). */
  shortenDraft(invoiceId: string, end: Date, now: Date, tx: Transaction): Promise<Invoice>;
  /** Append lines to a draft. */
  addLines(invoiceId: string, lines: readonly NewLine[], now: Date, tx: Transaction): Promise<void>;
  finalize(invoiceId: string, f: Finalization, tx: Transaction): Promise<Invoice>;
  /** One invoice of `tenantId` (null for another tenant's; `tenantId` null: any); `lock` holds its row until `tx` ends. */
  find(tenantId: string | null, id: string, tx?: Transaction, lock?: boolean): Promise<Invoice | null>;
  /** A tenant's invoices, newest period first. */
  list(tenantId: string, page: PageRequest): Promise<Page<Invoice>>;
  markPaid(invoiceId: string, paidAt: Date, tx: Transaction): Promise<Invoice>;
  /** Whether the tenant has an open invoice due at or before `now`. */
  hasOverdue(tenantId: string, now: Date, tx: Transaction): Promise<boolean>;
  /** Record a payment (one per invoice); answers its id. */
  insertPayment(p: NewPayment, tx: Transaction): Promise<string>;
}

export interface BillingAuditEntry {
  readonly tenantId: string;
  readonly entity: 'subscription' | 'invoice' | 'payment';
  readonly entityId: string;
  readonly action: string;
  /** The API key that asked for it; `null` for the scheduler and other system work. */
  readonly actorKeyId: string | null;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** The billing audit log: append-only, written in the transaction of the change. */
export interface BillingAuditLog {
  append(entries: readonly BillingAuditEntry[], at: Date, tx: Transaction): Promise<void>;
}

/** Executions of one plugin in a period, and how many of them were beyond the included quota. */
export interface PluginExecutions {
  readonly pluginName: string;
  readonly executions: number;
  readonly overageExecutions: number;
}

/** Succeeded executions of one plugin version with its manifest price and author. */
export interface PaidPluginUsage {
  readonly pluginName: string;
  readonly pluginVersion: string;
  readonly executions: number;
  readonly perExecutionMicros: number;
  readonly authorTenantId: string | null;
}

export interface LedgerEntry {
  readonly invoiceId: string;
  readonly payerTenantId: string;
  readonly pluginName: string;
  readonly authorTenantId: string | null;
  readonly executions: number;
  readonly grossCents: number;
  readonly shareBps: number;
  readonly authorCents: number;
}

/** What a closing period charges for, from the usage ledger, and the authors' revenue ledger. */
export interface BillingUsageStore {
  /**
   * Executions per plugin started in [start, end). The included quota is spent
   * in the order executions started: the first `included` are included, each
   * one after that is overage of its own plugin. `null`: unlimited.
   */
  executionsByPlugin(tenantId: string, period: { start: Date; end: Date }, included: number | null, tx: Transaction): Promise<PluginExecutions[]>;
  /** Succeeded executions per plugin version with a price, priced by that version's manifest. */
  paidPluginUsage(tenantId: string, period: { start: Date; end: Date }, tx: Transaction): Promise<PaidPluginUsage[]>;
  /** The authors' share of paid-plugin fees, one entry per invoice and plugin. */
  insertRevenueLedger(entries: readonly LedgerEntry[], at: Date, tx: Transaction): Promise<void>;
}
