/**
 * Inputs of the marketplace routes: who is asking (as a marketplace Actor),
 * path parameters, query options and JSON bodies, each validated once and
 * refused with the contract's codes.
 */
import type { RouterParameterMiddleware } from '@koa/router';
import semver from 'semver';
import { BazaarError } from '../../manifests/errors.js';
import type { PluginSort } from '../../marketplace/ports.js';
import { MAX_DEPRECATION_LENGTH } from '../../marketplace/release-service.js';
import { MAX_NOTES_LENGTH, type ReviewDecision } from '../../marketplace/review-service.js';
import type { AppContext, AppState } from '../foundation/app-state.js';
import { compileBodyValidator } from '../foundation/validation.js';

/** `router.param('version', versionParam)`: anything that is not a semantic version is 404. */
export const versionParam: RouterParameterMiddleware<AppState, AppContext> = async function versionParam(value, _ctx, next) {
  if (value.length > 256 || semver.valid(value) === null) throw new BazaarError('not_found', 'No such version.');
  await next();
};

type Query = Readonly<Record<string, string | string[] | undefined>>;

function oneOf<T extends string>(query: Query, key: string, allowed: readonly T[], fallback: T): T {
  const raw = query[key];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !(allowed as readonly string[]).includes(raw)) {
    throw new BazaarError('invalid_request', `${key} must be one of ${allowed.join(', ')}.`);
  }
  return raw as T;
}

export function parseSort(query: Query): PluginSort {
  return oneOf(query, 'sort', ['trust', 'installs', 'recent'] as const, 'trust');
}

export function parseOrder(query: Query): 'asc' | 'desc' {
  return oneOf(query, 'order', ['asc', 'desc'] as const, 'desc');
}

/** `?q=`: a short free-text query, or undefined. */
export function parseSearchText(query: Query): string | undefined {
  const q = query.q;
  if (q === undefined) return undefined;
  if (typeof q !== 'string' || q.length > 200) throw new BazaarError('invalid_request', 'q must be a string of at most 200 characters.');
  return q.trim() === '' ? undefined : q;
}

/** `?plugin=` of the audit log. */
export function parsePluginFilter(query: Query): string | undefined {
  const plugin = query.plugin;
  if (plugin === undefined) return undefined;
  if (typeof plugin !== 'string' || plugin.length > 200) throw new BazaarError('invalid_request', 'plugin must be a plugin name.');
  return plugin;
}

export const parseReviewBody = compileBodyValidator<{ decision: ReviewDecision; notes?: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['decision'],
  properties: {
    decision: { type: 'string', enum: ['approve', 'reject'] },
    notes: { type: 'string', maxLength: MAX_NOTES_LENGTH },
  },
});

export const parseYankBody = compileBodyValidator<{ reason: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: { type: 'string', minLength: 1, maxLength: MAX_NOTES_LENGTH, pattern: '\\S' } },
});

export const parseDeprecateBody = compileBodyValidator<{ message: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['message'],
  properties: { message: { type: 'string', minLength: 1, maxLength: MAX_DEPRECATION_LENGTH, pattern: '\\S' } },
});

const parseDistTagShape = compileBodyValidator<{ version: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: { version: { type: 'string', minLength: 1, maxLength: 256, description: 'An exact, approved version (not a range or tag).' } },
});

/** The body of PUT dist-tags: an exact version; anything else is 400 `invalid_request`. */
export const parseDistTagBody = Object.assign(
  (body: unknown): { version: string } => {
    const parsed = parseDistTagShape(body);
    if (semver.valid(parsed.version) === null) throw new BazaarError('invalid_request', 'version must be an exact semantic version.');
    return parsed;
  },
  { schema: parseDistTagShape.schema },
);

/** `?dryRun=true|false` of POST /v1/packages (default false). */
export function parseDryRun(query: Query): boolean {
  return oneOf(query, 'dryRun', ['true', 'false'] as const, 'false') === 'true';
}
