/**
 * A rating: one tenant's stars (and optional comment) for one plugin it has
 * installed (docs/http-api.md "Packages, plugins and versions"). Domain objects
 * use camelCase and `Date`; `ratingToJson` maps to the contract's JSON.
 */
import { compileBodyValidator } from '../foundation/validation.js';

/** The comment's bound, repeated by the table's CHECK constraint. */
export const MAX_COMMENT_LENGTH = 1000;

export interface Rating {
  readonly tenantId: string;
  readonly plugin: string;
  readonly stars: number;
  readonly comment: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A plugin's ratings in aggregate; `average` is null without ratings. */
export interface RatingSummary {
  readonly average: number | null;
  readonly count: number;
}

export interface RateInput {
  readonly stars: number;
  readonly comment?: string;
}

/** `{stars: 1..5, comment?}`; anything else (2.5, "5", unknown fields) is 400 `invalid_request`. */
export const parseRateBody = compileBodyValidator<RateInput>({
  type: 'object',
  additionalProperties: false,
  required: ['stars'],
  properties: {
    stars: { type: 'integer', minimum: 1, maximum: 5 },
    comment: { type: 'string', maxLength: MAX_COMMENT_LENGTH },
  },
});

/** The contract's rating JSON: `{plugin, stars, comment, createdAt, updatedAt}` (the tenant is the caller). */
export function ratingToJson(rating: Rating) {
  return {
    plugin: rating.plugin,
    stars: rating.stars,
    comment: rating.comment,
    createdAt: rating.createdAt.toISOString(),
    updatedAt: rating.updatedAt.toISOString(),
  };
}
