/**
 * One API operation as the areas (host/openapi/<area>.ts) declare it, and its
 * OpenAPI 3.1 Operation Object. The builder adds what every operation of the
 * host has in common, so an area lists only what is particular to it:
 *
 * - security: the bearer scheme with the scopes the route's `requireScope`
 *   demands (one of them suffices; `admin` holds them all), repeated as
 *   `x-required-scopes` and in the description; keyless operations have none;
 * - the errors the listening server answers on any route (400, 408, 429) and
 *   the errors every authenticated request can meet (400 for two
 *   `Authorization` headers, 401, 403 `tenant_suspended`, 429, 500, 503), 403 `forbidden` when a scope is
 *   required, 400/408/413 for requests with a body, 404 for path parameters;
 * - one response per error status, whose schema is the error envelope with
 *   `error.code` restricted to that status's codes (also in `x-error-codes`);
 * - `X-Request-Id` and `X-Content-Type-Options` on every answer,
 *   `Cache-Control` (`no-store`) on keyed JSON, the rate-limit headers on authenticated
 *   ones, `Retry-After` on 429, and the `Idempotency-Key` header where the
 *   route honours it.
 */
import { ERROR_CATALOG, type ErrorCode } from '../../../manifests/errors.js';
import type { Scope } from '../scopes.js';
import type { Schema } from './schema-kit.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call: no key at all (operations routes), or a key with one of `scopes` (none listed: any key). */
export interface KeylessAccess {
  readonly keyless: true;
}
export interface ScopedAccess {
  readonly scopes: readonly Scope[];
}
export type Access = KeylessAccess | ScopedAccess;

export const KEYLESS: Access = { keyless: true };
export const ANY_KEY: Access = { scopes: [] };
export function oneOfScopes(...scopes: Scope[]): Access {
  return { scopes };
}

/** A success (or otherwise non-error) answer. */
export interface AnswerSpec {
  readonly description: string;
  /** The `application/json` body. */
  readonly json?: Schema;
  /** Other media types, e.g. `{'application/gzip': {schema: {}}}`. */
  readonly content?: Record<string, { schema: Schema }>;
  readonly headers?: Record<string, Schema>;
  /** Error codes carried by this answer (a 422 execution failure). */
  readonly errorCodes?: readonly ErrorCode[];
}

export interface OperationSpec {
  readonly method: HttpMethod;
  /** OpenAPI path template (`/v1/installs/{id}`). */
  readonly path: string;
  readonly operationId: string;
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  readonly access: Access;
  /** Path parameters by name; any template parameter not given here comes from `PATH_PARAMETERS`. */
  readonly pathParameters?: Record<string, Schema>;
  /** Query and header parameters (objects or `$ref`s). */
  readonly parameters?: readonly Schema[];
  /** The `application/json` request body schema (required unless `bodyOptional`). */
  readonly body?: Schema;
  readonly bodyOptional?: boolean;
  /** A request body of another kind (package upload). */
  readonly requestBody?: Schema;
  /** The route honours `Idempotency-Key` (docs/http-api.md "Idempotency"). */
  readonly idempotent?: boolean;
  readonly answers: Readonly<Record<number, AnswerSpec>>;
  /** Error codes particular to this operation; the common ones are added. */
  readonly errors?: readonly ErrorCode[];
  /** `false`: a keyed operations route, before the tenant rate limit (`/metrics`), so no `X-RateLimit-*` headers. */
  readonly rateLimited?: boolean;
}

/** Template parameters, by name, as the routers' `router.param` validators accept them. */
export const PATH_PARAMETERS: Readonly<Record<string, { schema: Schema; description: string }>> = {
  id: { schema: { type: 'string', format: 'uuid' }, description: 'The resource id (a uuid; anything else is 404).' },
  deliveryId: { schema: { type: 'string', format: 'uuid' }, description: 'The delivery id (a uuid).' },
  name: {
    schema: { type: 'string', pattern: '^@[a-z0-9][a-z0-9-]{1,38}/[a-z0-9][a-z0-9._-]{0,213}$' },
    description: 'A scoped plugin name, URL-encoded in the path: `%40acme%2Fslugify` for `@acme/slugify`.',
  },
  version: { schema: { type: 'string', maxLength: 256 }, description: 'A semantic version (`1.2.3`); anything else is 404.' },
  file: { schema: { type: 'string', pattern: '^[a-z][a-z0-9-]*\\.(js|css|html|svg)$' }, description: 'A console asset file name.' },
};

/**
 * What the listening server answers before any middleware, on any route
 * (host/edge/http-server.ts): bytes that are not HTTP/1.1, headers that do not
 * arrive in time, one connection more than the per-address cap.
 */
const EDGE: readonly ErrorCode[] = ['invalid_request', 'request_timeout', 'rate_limited'];

// invalid_request: two Authorization headers; rate_limited: the tenant's rate, or failed authentications from the client's address.
const COMMON_AUTHENTICATED: readonly ErrorCode[] = ['invalid_request', 'unauthorized', 'tenant_suspended', 'rate_limited', 'internal_error', 'dependency_unavailable'];

const REQUEST_ID_HEADER = { $ref: '#/components/headers/X-Request-Id' };
const NOSNIFF_HEADER = { $ref: '#/components/headers/X-Content-Type-Options' };
const NO_STORE_HEADER = { $ref: '#/components/headers/Cache-Control' };
const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': { $ref: '#/components/headers/X-RateLimit-Limit' },
  'X-RateLimit-Remaining': { $ref: '#/components/headers/X-RateLimit-Remaining' },
  'X-RateLimit-Reset': { $ref: '#/components/headers/X-RateLimit-Reset' },
};

function isKeyless(access: Access): access is KeylessAccess {
  return 'keyless' in access;
}

/** Every error code the operation can answer, in catalog order. */
export function errorCodesOf(spec: OperationSpec): ErrorCode[] {
  const codes = new Set<ErrorCode>([...EDGE, ...(spec.errors ?? [])]);
  const hasBody = spec.method !== 'get';
  if (!isKeyless(spec.access)) {
    for (const code of COMMON_AUTHENTICATED) codes.add(code);
    if (spec.access.scopes.length > 0) codes.add('forbidden');
    if (hasBody) {
      codes.add('invalid_request');
      codes.add('payload_too_large');
      codes.add('request_timeout'); // a body still arriving at its deadline
    }
    if (/\{[^}]+\}/.test(spec.path)) codes.add('not_found');
    if (spec.idempotent) {
      codes.add('invalid_request');
      codes.add('conflict');
    }
  }
  return (Object.keys(ERROR_CATALOG) as ErrorCode[]).filter((c) => codes.has(c));
}

function accessText(access: Access): string {
  if (isKeyless(access)) return 'No API key: an operations route, mounted before authentication.';
  if (access.scopes.length === 0) return 'Any valid API key.';
  return `Requires an API key with one of the scopes ${access.scopes.map((s) => `\`${s}\``).join(', ')} (\`admin\` holds every scope).`;
}

function errorAnswer(status: number, codes: readonly ErrorCode[], authenticated: boolean, keyed: boolean): Schema {
  const headers: Record<string, Schema> = { 'X-Request-Id': REQUEST_ID_HEADER, 'X-Content-Type-Options': NOSNIFF_HEADER };
  if (keyed) headers['Cache-Control'] = NO_STORE_HEADER;
  // Rate-limit headers come with any answer after the limiter ran (not with 401 / tenant_suspended, refused before it).
  if (authenticated) Object.assign(headers, RATE_LIMIT_HEADERS);
  if (status === 429) headers['Retry-After'] = { $ref: '#/components/headers/Retry-After' };
  if (status === 401) headers['WWW-Authenticate'] = { $ref: '#/components/headers/WWW-Authenticate' };
  return {
    description: `Error: ${codes.map((c) => `\`${c}\``).join(', ')}.`,
    headers,
    'x-error-codes': [...codes],
    content: {
      'application/json': {
        schema: {
          allOf: [
            { $ref: '#/components/schemas/ErrorResponse' },
            // Narrows `error.code` only; the rest of `error` is ErrorResponse's (said outright for example
            // checkers that close every object by default).
            { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: [...codes] } }, additionalProperties: true } } },
          ],
        },
      },
    },
  };
}

function answer(spec: AnswerSpec, authenticated: boolean, keyed: boolean, status: number): Schema {
  const headers: Record<string, Schema> = { 'X-Request-Id': REQUEST_ID_HEADER, 'X-Content-Type-Options': NOSNIFF_HEADER };
  if (keyed && spec.json !== undefined) headers['Cache-Control'] = NO_STORE_HEADER;
  if (authenticated) {
    for (const [name, header] of Object.entries(RATE_LIMIT_HEADERS)) {
      // Present on every answer the limiter let through; say so where a client can rely on it.
      headers[name] = status < 300 ? { ...header, description: 'Always present on this answer.' } : header;
    }
  }
  Object.assign(headers, spec.headers ?? {});
  const content: Record<string, { schema: Schema }> = { ...(spec.content ?? {}) };
  if (spec.json !== undefined) content['application/json'] = { schema: spec.json };
  return {
    description: spec.description,
    headers,
    ...(spec.errorCodes === undefined ? {} : { 'x-error-codes': [...spec.errorCodes] }),
    ...(Object.keys(content).length === 0 ? {} : { content }),
  };
}

/** The OpenAPI Operation Object of `spec`. */
export function buildOperation(spec: OperationSpec): Schema {
  const keyed = !isKeyless(spec.access);
  const authenticated = keyed && spec.rateLimited !== false;
  const codes = errorCodesOf(spec);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CATALOG[code].status;
    if (spec.answers[status] !== undefined) continue; // the operation describes that status itself (422)
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }

  const responses: Record<string, Schema> = {};
  for (const [status, a] of Object.entries(spec.answers)) responses[status] = answer(a, authenticated, keyed, Number(status));
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) responses[String(status)] = errorAnswer(status, list, authenticated, keyed);

  const pathNames = [...spec.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
  const parameters: Schema[] = pathNames.map((name) => {
    const known = PATH_PARAMETERS[name];
    const schema = spec.pathParameters?.[name] ?? known?.schema ?? { type: 'string' };
    return { name, in: 'path', required: true, schema, ...(known ? { description: known.description } : {}) };
  });
  parameters.push(...(spec.parameters ?? []));
  if (spec.idempotent) parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });

  const scopes = isKeyless(spec.access) ? null : spec.access.scopes;
  const description = [spec.description, accessText(spec.access)].filter((s) => s !== undefined).join('\n\n');
  return {
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
    description,
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(spec.body === undefined
      ? spec.requestBody === undefined
        ? {}
        : { requestBody: spec.requestBody }
      : { requestBody: { required: spec.bodyOptional !== true, content: { 'application/json': { schema: spec.body } } } }),
    responses,
    security: scopes === null ? [] : [{ bearerAuth: [...scopes] }],
    'x-required-scopes': scopes === null ? [] : [...scopes],
    ...(scopes === null ? { 'x-keyless': true } : {}),
  };
}
