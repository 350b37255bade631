/**
 * Components every area shares (docs/http-api.md "Conventions"): the error
 * envelope with the whole error catalog, the bearer security scheme, the
 * pagination and Idempotency-Key parameters and the request-id and rate-limit
 * headers.
 */
import { ERROR_CATALOG } from '../../../manifests/errors.js';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '../pagination.js';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../idempotency-key.js';
import { exact, type Schema } from './schema-kit.js';

export const ERROR_CODES = Object.keys(ERROR_CATALOG);

export const commonSchemas: Record<string, Schema> = {
  ErrorCode: {
    type: 'string',
    enum: ERROR_CODES,
    description: `The error catalog (docs/http-api.md "Errors"): ${Object.entries(ERROR_CATALOG)
      .map(([code, e]) => `\`${code}\` (${e.status})`)
      .join(', ')}.`,
  },
  ErrorResponse: {
    ...exact({
      error: exact(
        {
          code: { $ref: '#/components/schemas/ErrorCode' },
          message: { type: 'string', description: 'A human sentence; 5xx answers carry the generic one.' },
          details: {
            description: 'Optional structured details (limits, ajv issues, …); never on a 500. A request body that fails its schema gets `ValidationIssue` items.',
            anyOf: [{ type: 'array', items: { $ref: '#/components/schemas/ValidationIssue' } }, { type: ['object', 'array', 'string', 'number', 'boolean', 'null'] }],
          },
        },
        ['details'],
      ),
      requestId: { type: 'string', description: 'The X-Request-Id of the request.' },
    }),
    description: 'The error envelope of every error answer: `{error: {code, message, details?}, requestId}`.',
  },
  ValidationIssue: exact({ path: { type: 'string' }, message: { type: 'string' } }),
};

export const securitySchemes: Record<string, Schema> = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'bzr_ + 32 lowercase hex characters',
    description:
      'An API key of one tenant, with scopes (`admin`, `reviews:write`, `plugins:publish`, `plugins:install`, ' +
      '`plugins:execute`, `billing:read`, `billing:write`, `webhooks:write`). Missing or unknown key: 401 ' +
      '`unauthorized`; a key without a required scope: 403 `forbidden`. Each operation lists the scopes it needs ' +
      'in its security requirement and in `x-required-scopes`; one of them suffices.',
  },
};

export const commonParameters: Record<string, Schema> = {
  Limit: {
    name: 'limit',
    in: 'query',
    description: `Page size (default ${DEFAULT_PAGE_LIMIT}, at most ${MAX_PAGE_LIMIT}).`,
    schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT },
  },
  Cursor: {
    name: 'cursor',
    in: 'query',
    description: 'The `nextCursor` of the previous page (opaque).',
    schema: { type: 'string', minLength: 1, maxLength: 1024, pattern: '^[A-Za-z0-9_-]+$' },
  },
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    description:
      'A replay within 24 h answers the first response (with `Idempotent-Replayed: true`) and does no second execution, charge or record. ' +
      'The same key on a different request, or while the first is still running: 409 `conflict`.',
    schema: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH, pattern: '^[\\x20-\\x7e]+$' },
  },
};

/** The two pagination parameters, as references. */
export const PAGINATION: Schema[] = [{ $ref: '#/components/parameters/Limit' }, { $ref: '#/components/parameters/Cursor' }];

const intHeader = (description: string): Schema => ({ description, schema: { type: 'string', pattern: '^[0-9]+$' } });

export const commonHeaders: Record<string, Schema> = {
  'X-Request-Id': { description: 'The request id (also in error bodies as `requestId`).', required: true, schema: { type: 'string' } },
  'X-RateLimit-Limit': intHeader('Requests per minute allowed for the tenant (by tier, or its override).'),
  'X-RateLimit-Remaining': intHeader('Requests left in the current window.'),
  'X-RateLimit-Reset': intHeader('Seconds until the window resets.'),
  'X-CpuBudget-Limit': intHeader("Plugin CPU milliseconds per minute the tenant may use, across all hosts (by tier)."),
  'X-CpuBudget-Remaining': intHeader('Plugin CPU milliseconds still available now; at 0, executions answer 429 `rate_limited`.'),
  'Retry-After': { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } },
  'WWW-Authenticate': { description: '`Bearer`.', schema: { type: 'string' } },
  'X-Content-Type-Options': { description: '`nosniff`, on every answer.', required: true, schema: { const: 'nosniff' } },
  'Cache-Control': { description: '`no-store` on JSON answered to a request with a key.', schema: { type: 'string' } },
};

/** `?from=&to=` of the usage and analytics reads. */
export function timeRangeParameters(defaults: string): Schema[] {
  const param = (name: string, what: string): Schema => ({
    name,
    in: 'query',
    description: `${what}: an ISO-8601 date (UTC midnight) or date-time with a zone. ${defaults}`,
    schema: { type: 'string' },
  });
  return [param('from', 'Start, inclusive'), param('to', 'End, exclusive')];
}
