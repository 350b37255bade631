/**
 * The host's storage ports of the marketplace area (the marketplace module's
 * own ports are marketplace/ports.ts): ratings, and who hears of a version's
 * status. The knex adapters of this folder implement them.
 */
import type { Transaction } from '../foundation/transaction.js';
import type { RateInput, Rating, RatingSummary } from './rating.js';

/** The stored rating, and whether it is the tenant's first for the plugin. */
export interface UpsertedRating {
  readonly rating: Rating;
  readonly created: boolean;
}

export interface RatingStore {
  /**
   * Insert or replace the tenant's rating of `plugin`; `null` when the tenant
   * has no install of it (then nothing is written), decided in the write itself.
   */
  upsertIfInstalled(tenantId: string, plugin: string, input: RateInput, now: Date): Promise<UpsertedRating | null>;
  /** Average stars and count over every tenant's rating of `plugin`. */
  summary(plugin: string): Promise<RatingSummary>;
}

/** The recipients of a version's status events, read in the transaction that changed the status. */
export interface VersionAudience {
  /** The tenant whose slug is `scope` (the publisher); `null` if none. */
  publisherOf(scope: string, tx: Transaction): Promise<string | null>;
  /** The installs running `name@version`, with their tenants. */
  installsOf(name: string, version: string, tx: Transaction): Promise<{ readonly id: string; readonly tenantId: string }[]>;
}
