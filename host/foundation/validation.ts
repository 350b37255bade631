/**
 * Compiled ajv validators for the host's HTTP inputs and config. One place
 * builds the ajv instances so every validator has the same options, and every
 * validation failure becomes the same 400 `invalid_request` shape.
 */
import { Ajv, type ErrorObject, type Options, type SchemaObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { BazaarError } from '../../manifests/errors.js';

// ajv-formats is CommonJS with a `default` property; under NodeNext the default
// import is the whole `module.exports`, which is the plugin and carries `.default`.
const addFormats = addFormatsModule.default;

/** A new ajv with formats (email, date-time, uuid, uri). `allErrors` so a client sees every problem at once. */
export function createAjv(options: Options = {}): Ajv {
  // Union types (`['integer', 'null']`) are how the contract spells "or unset".
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, ...options });
  addFormats(ajv);
  return ajv;
}

/** The part of an ajv error a client may see: where, and what was expected. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

export function toIssues(errors: readonly ErrorObject[] | null | undefined): ValidationIssue[] {
  return (errors ?? []).map((e) => ({
    path: e.instancePath === '' ? '/' : e.instancePath,
    message:
      e.keyword === 'additionalProperties'
        ? `unknown property ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}`
        : (e.message ?? 'is invalid'),
  }));
}

const requestAjv = createAjv();

/**
 * A compiled body validator. It carries the JSON Schema it judges by, so the
 * OpenAPI document (host/openapi/) describes request bodies with the very
 * schema the route validates them with, never a copy that could drift.
 */
export interface BodyParser<T> {
  (body: unknown): T;
  readonly schema: SchemaObject;
}

/**
 * Compile a request-body schema once; the returned function narrows `unknown`
 * to `T` or throws 400 `invalid_request` with the ajv errors in `details`.
 * Use it in a route handler: `const input = parseCreateTenant(ctx.request.body)`.
 */
export function compileBodyValidator<T>(schema: SchemaObject): BodyParser<T> {
  const validate = requestAjv.compile<T>(schema);
  return Object.assign(function parseBody(body: unknown): T {
    if (body === undefined) {
      throw new BazaarError('invalid_request', 'A JSON body (Content-Type: application/json) is required.');
    }
    if (!validate(body)) {
      throw new BazaarError('invalid_request', 'The request body is invalid.', toIssues(validate.errors));
    }
    return body;
  }, { schema });
}
