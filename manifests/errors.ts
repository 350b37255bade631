/**
 * The one error catalog of Bazaar (documented in docs/http-api.md "Errors").
 *
 * Every layer (runtime/, marketplace/, host/) throws or returns these codes, so a
 * client sees the same code whatever part of the system refused it. It lives in
 * manifests/ because manifests/ is the leaf every other layer may depend on: the
 * published contract (manifest schema and error codes), with no behaviour.
 *
 * Add a code here (and to docs/http-api.md "Errors" and README's error table:
 * test/docs checks both) before using it anywhere.
 */

interface CatalogEntry {
  readonly status: number;
  /** Default human sentence; callers usually give a more precise one. */
  readonly message: string;
}

export const ERROR_CATALOG = {
  invalid_request: { status: 400, message: 'The request is malformed.' },
  invalid_manifest: { status: 400, message: 'The plugin manifest is invalid.' },
  invalid_package: { status: 400, message: 'The package archive is invalid.' },
  invalid_config: { status: 400, message: "The config does not match the plugin's config schema." },
  permissions_not_granted: { status: 400, message: 'The plugin asks for permissions that were not granted.' },
  unauthorized: { status: 401, message: 'A valid API key is required.' },
  quota_exceeded: { status: 402, message: 'The monthly execution quota is used up.' },
  plan_limit: { status: 402, message: "The tenant's plan does not allow this." },
  forbidden: { status: 403, message: 'This API key may not do that.' },
  tenant_suspended: { status: 403, message: 'The tenant is suspended.' },
  trust_policy: { status: 403, message: "The version's trust score is below the required minimum." },
  version_yanked: { status: 403, message: 'The plugin version was yanked.' },
  version_quarantined: { status: 403, message: 'The plugin version is quarantined.' },
  not_found: { status: 404, message: 'Not found.' },
  conflict: { status: 409, message: 'The resource already exists or changed meanwhile.' },
  version_exists: { status: 409, message: 'That version is already published.' },
  version_not_installable: { status: 409, message: 'That version is not approved for installation.' },
  no_rollout: { status: 409, message: 'The install has no rollout in progress.' },
  request_timeout: { status: 408, message: 'The request did not arrive in time.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  execution_timeout: { status: 422, message: 'The plugin ran out of time.' },
  memory_limit_exceeded: { status: 422, message: 'The plugin ran out of memory.' },
  plugin_error: { status: 422, message: 'The plugin threw an error.' },
  invalid_input: { status: 422, message: "The input does not match the action's input schema." },
  invalid_output: { status: 422, message: "The output does not match the action's output schema." },
  output_too_large: { status: 422, message: 'The plugin returned too much output.' },
  sandbox_crashed: { status: 422, message: 'The sandbox process crashed while running the plugin.' },
  rate_limited: { status: 429, message: 'Too many requests.' },
  concurrency_limited: { status: 429, message: 'Too many executions are running for this tenant.' },
  internal_error: { status: 500, message: 'Internal error.' },
  dependency_unavailable: { status: 503, message: 'A dependency (database or Redis) is unavailable.' },
} as const satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** Codes an execution can end with: the 422 family of the contract. */
export type ExecutionErrorCode =
  | 'execution_timeout'
  | 'memory_limit_exceeded'
  | 'plugin_error'
  | 'invalid_input'
  | 'invalid_output'
  | 'output_too_large'
  | 'sandbox_crashed';

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CATALOG, value);
}

/**
 * A domain error with a stable code. 4xx errors expose their message to the
 * client; 5xx errors are answered with the catalog's generic sentence.
 */
export class BazaarError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly status: number;
  readonly expose: boolean;
  readonly details: unknown;
  /** Response headers that belong to this answer (`Retry-After`, limit headers). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: C, message?: string, details?: unknown, options?: { cause?: unknown; headers?: Record<string, string> }) {
    super(message ?? ERROR_CATALOG[code].message, options);
    this.code = code;
    this.status = ERROR_CATALOG[code].status;
    this.expose = this.status < 500;
    this.details = details;
    this.headers = options?.headers ?? {};
    this.name = `BazaarError [${code}]`;
  }
}

/** Works across realms and module copies, where `instanceof` does not. */
export function isBazaarError(err: unknown): err is BazaarError {
  return (
    typeof err === 'object' &&
    err !== null &&
    Object.prototype.toString.call(err) === '[object Error]' &&
    isErrorCode((err as { code?: unknown }).code)
  );
}
