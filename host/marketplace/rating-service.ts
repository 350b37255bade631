/**
 * Ratings (`POST /v1/plugins/:name/ratings`,
 * docs/http-api.md "Packages, plugins and versions"): a tenant rates a plugin
 * it has installed, once; rating again replaces its rating. Every rule lives
 * here; the route only reads input and answers.
 *
 * No existence oracle: an unknown plugin and a plugin this tenant has not
 * installed are the same 404 `not_found`. After a rating, the plugin's trust
 * (its community factor) is recomputed in the background (BackgroundWork).
 */
import { BazaarError } from '../../manifests/errors.js';
import { BackgroundWork } from '../foundation/background-work.js';
import type { Clock } from '../foundation/clock.js';
import type { Logger } from '../foundation/logger.js';
import type { RatingStore } from './ports.js';
import type { RateInput, Rating, RatingSummary } from './rating.js';

export interface RatingServiceDeps {
  readonly ratings: RatingStore;
  /** Recomputes every version of a plugin (TrustService.recomputePlugin). */
  readonly recomputeTrust: (plugin: string) => Promise<unknown>;
  readonly logger: Logger;
  readonly clock: Clock;
}

/** A stored rating, and whether it is the tenant's first for the plugin (201) or replaced one (200). */
export interface RateResult {
  readonly rating: Rating;
  readonly created: boolean;
}

export class RatingService {
  readonly #deps: RatingServiceDeps;
  readonly #background: BackgroundWork;

  constructor(deps: RatingServiceDeps) {
    this.#deps = deps;
    this.#background = new BackgroundWork({ logger: deps.logger, label: 'ratings: trust recompute' });
  }

  /** Rate (or re-rate) `plugin` as `tenantId`; 404 unless the tenant has it installed. */
  async rate(tenantId: string, plugin: string, input: RateInput): Promise<RateResult> {
    const result = await this.#deps.ratings.upsertIfInstalled(tenantId, plugin, input, this.#deps.clock.now());
    if (result === null) throw new BazaarError('not_found', 'No such plugin among your installs.');
    this.#background.request(plugin, () => this.#deps.recomputeTrust(plugin));
    return result;
  }

  /** Average and count of a plugin's ratings (public aggregate; individual ratings stay private). */
  async summary(plugin: string): Promise<RatingSummary> {
    return this.#deps.ratings.summary(plugin);
  }

  /** Wait for background trust recomputes (shutdown, tests). */
  idle(): Promise<void> {
    return this.#background.idle();
  }
}
