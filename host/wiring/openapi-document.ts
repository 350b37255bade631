/**
 * The OpenAPI 3.1 document of the whole HTTP API (`GET /openapi.json`, and
 * rendered at `GET /docs`), assembled from the areas' operations and components.
 * Request bodies are the routes' own validator schemas; `test/openapi/`
 * checks that every mounted route is described (and nothing else), and that
 * real answers match their schemas.
 */
import { billingOperations, billingSchemas } from '../billing/billing-openapi.js';
import { commonHeaders, commonParameters, commonSchemas, securitySchemes } from '../foundation/openapi/common-components.js';
import { analyticsOperations, analyticsSchemas } from '../analytics/analytics-openapi.js';
import { meteringOperations, meteringSchemas } from '../metering/metering-openapi.js';
import { consoleOperations, consoleSchemas } from '../console/console-openapi.js';
import { executionOperations, executionSchemas } from '../executions/executions-openapi.js';
import { installOperations, installSchemas } from '../installs/installs-openapi.js';
import { marketplaceOperations, marketplaceSchemas } from '../marketplace/marketplace-openapi.js';
import { buildOperation, type OperationSpec } from '../foundation/openapi/operation.js';
import { operationOperations, operationSchemas } from './operations-openapi.js';
import { OPERATION_EXAMPLES, withExamples } from './openapi-examples.js';
import type { Schema } from '../foundation/openapi/schema-kit.js';
import { tenantOperations, tenantSchemas } from '../tenants/tenants-openapi.js';
import { webhookOperations, webhookSchemas } from '../webhooks/webhooks-openapi.js';

/** Every operation of the API, as declared by the areas. */
export const OPERATIONS: readonly OperationSpec[] = [
  ...operationOperations,
  ...tenantOperations,
  ...marketplaceOperations,
  ...installOperations,
  ...executionOperations,
  ...meteringOperations,
  ...billingOperations,
  ...analyticsOperations,
  ...consoleOperations,
  ...webhookOperations,
];

const TAGS: Schema[] = [
  { name: 'operations', description: 'Probes, metrics (operator key or metrics token), this document and its readable rendering at `/docs`.' },
  { name: 'tenants', description: 'Organisations, their tiers and settings (operator).' },
  { name: 'api-keys', description: 'Keys with scopes, shown once (operator).' },
  { name: 'packages', description: 'Publishing.' },
  { name: 'plugins', description: 'The marketplace: plugins, versions, trust, yank.' },
  { name: 'ratings', description: 'Ratings by installing tenants.' },
  { name: 'reviews', description: 'The review queue, decisions and the audit log.' },
  { name: 'installs', description: "A tenant's installs." },
  { name: 'executions', description: 'Running plugins and reading what ran.' },
  { name: 'billing', description: 'Usage, subscription, invoices.' },
  { name: 'analytics', description: "A plugin's hourly figures." },
  { name: 'webhooks', description: 'Signed event deliveries.' },
  { name: 'console', description: 'The web console and the API additions it uses.' },
];

export interface OpenApiOptions {
  /** `info.version`; default the package's API version. */
  readonly version?: string;
}

/** Build the document (pure; the route builds it once). */
export function buildOpenApiDocument(options: OpenApiOptions = {}): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  const seen = new Set<string>();
  for (const spec of OPERATIONS) {
    if (seen.has(spec.operationId)) throw new Error(`openapi: operationId ${spec.operationId} is declared twice`);
    seen.add(spec.operationId);
    const item = (paths[spec.path] ??= {});
    if (item[spec.method] !== undefined) throw new Error(`openapi: ${spec.method.toUpperCase()} ${spec.path} is declared twice`);
    item[spec.method] = withExamples(spec.operationId, buildOperation(spec), OPERATION_EXAMPLES[spec.operationId]);
  }
  const orphans = Object.keys(OPERATION_EXAMPLES).filter((id) => !seen.has(id));
  if (orphans.length > 0) throw new Error(`openapi: examples for unknown operations ${orphans.join(', ')}`);
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Bazaar HTTP API',
      version: options.version ?? '1',
      description:
        'Plugin sandbox runtime and marketplace host (the repository\'s docs/http-api.md tells the whole contract). JSON in and out; errors are ' +
        '`{error: {code, message, details?}, requestId}`; lists take `?limit=&cursor=` and answer `{items, nextCursor}`; ' +
        'every authenticated answer carries the `X-RateLimit-*` headers; times are ISO-8601 UTC; money is integer cents.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    tags: TAGS,
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      schemas: {
        ...commonSchemas,
        ...operationSchemas,
        ...tenantSchemas,
        ...marketplaceSchemas,
        ...installSchemas,
        ...executionSchemas,
        ...billingSchemas,
        ...meteringSchemas,
        ...analyticsSchemas,
        ...consoleSchemas,
        ...webhookSchemas,
      },
      parameters: commonParameters,
      headers: commonHeaders,
      securitySchemes,
    },
  };
}
