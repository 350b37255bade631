/**
 * The body of POST /v1/webhooks, validated once with a compiled schema (400
 * `invalid_request` with the issues in `details`): an http(s) URL of bounded
 * length, and a non-empty list of distinct event types of the contract.
 */
import { EVENT_TYPES, type EventType } from './domain-events.js';
import { compileBodyValidator } from '../foundation/validation.js';

export const MAX_WEBHOOK_URL_LENGTH = 2048;

export interface CreateWebhookInput {
  readonly url: string;
  readonly events: EventType[];
}

export const parseCreateWebhook = compileBodyValidator<CreateWebhookInput>({
  type: 'object',
  additionalProperties: false,
  required: ['url', 'events'],
  properties: {
    url: { type: 'string', minLength: 1, maxLength: MAX_WEBHOOK_URL_LENGTH, pattern: '^[hH][tT][tT][pP][sS]?://' },
    // maxItems before uniqueItems matters little (the body limit bounds the array), but keeps errors short.
    events: { type: 'array', minItems: 1, maxItems: EVENT_TYPES.length, uniqueItems: true, items: { type: 'string', enum: [...EVENT_TYPES] } },
  },
});
