/** Request bodies of the subscription endpoints (docs/http-api.md "Billing, usage and analytics"); unknown properties are refused. */
import { TIER_NAMES, type TierName } from '../foundation/tiers.js';
import { compileBodyValidator } from '../foundation/validation.js';

export interface TierChangeInput {
  tier: TierName;
}

export const parseTierChange = compileBodyValidator<TierChangeInput>({
  type: 'object',
  additionalProperties: false,
  required: ['tier'],
  properties: { tier: { type: 'string', enum: [...TIER_NAMES] } },
});

export interface CancelInput {
  atPeriodEnd: boolean;
}

export const parseCancel = compileBodyValidator<CancelInput>({
  type: 'object',
  additionalProperties: false,
  required: ['atPeriodEnd'],
  properties: { atPeriodEnd: { type: 'boolean' } },
});
