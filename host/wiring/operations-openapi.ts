/**
 * Operations routes: probes, metrics, this document, its readable rendering
 * (`/docs`) and the console pages, mounted before authentication. All keyless
 * but `/metrics` (an `admin` key or the metrics token).
 */
import { KEYLESS, oneOfScopes, type OperationSpec } from '../foundation/openapi/operation.js';
import { exact, oneOfStrings, type Schema } from '../foundation/openapi/schema-kit.js';
import { DOCS_ASSETS } from './docs-page.js';

const checks: Schema = { type: 'object', additionalProperties: oneOfStrings(['ok', 'unavailable']), description: 'Each dependency (`database`, `redis`).' };

export const operationSchemas: Record<string, Schema> = {
  Health: exact({ status: { const: 'ok' } }),
  Ready: exact({ status: { const: 'ready' }, checks }),
  OpenApiDocument: {
    type: 'object',
    required: ['openapi', 'info', 'paths', 'components'],
    properties: { openapi: { type: 'string', pattern: '^3\\.1\\.' }, info: { type: 'object' }, paths: { type: 'object' }, components: { type: 'object' } },
  },
  NotReady: exact({
    error: exact({ code: { const: 'dependency_unavailable' }, message: { type: 'string' }, details: exact({ checks }) }),
    requestId: { type: 'string' },
  }),
};

const html = { 'text/html; charset=utf-8': { schema: { type: 'string' } } };
const notModified = { description: 'Not modified (`If-None-Match` matched the ETag).' };

export const operationOperations: OperationSpec[] = [
  {
    method: 'get', path: '/healthz', operationId: 'healthz', tag: 'operations', summary: 'The process is up',
    access: KEYLESS, answers: { 200: { description: 'Up.', json: { $ref: '#/components/schemas/Health' } } },
  },
  {
    method: 'get', path: '/readyz', operationId: 'readyz', tag: 'operations', summary: 'The database and Redis are reachable',
    access: KEYLESS,
    answers: {
      200: { description: 'Ready.', json: { $ref: '#/components/schemas/Ready' } },
      503: { description: '`dependency_unavailable`, with `details.checks` naming each dependency that is down.', json: { $ref: '#/components/schemas/NotReady' }, errorCodes: ['dependency_unavailable'] },
    },
  },
  {
    method: 'get', path: '/metrics', operationId: 'metrics', tag: 'operations', summary: 'Prometheus metrics',
    description:
      'HTTP requests by route, executions by plugin and status, limit refusals, sandbox, usage-queue and webhook-queue gauges (host/foundation/host-metrics.ts). ' +
      'It names tenants\' plugins, so it needs an `admin` API key or the operator\'s metrics token (`BAZAAR_METRICS_TOKEN`), either as `Authorization: Bearer <token>`. ' +
      'Not counted against a tenant rate limit: no `X-RateLimit-*` headers.',
    access: oneOfScopes('admin'),
    rateLimited: false,
    answers: { 200: { description: 'Prometheus text exposition format.', content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } } } },
  },
  {
    method: 'get', path: '/openapi.json', operationId: 'openapi', tag: 'operations', summary: 'This document (OpenAPI 3.1)',
    access: KEYLESS, answers: { 200: { description: 'The OpenAPI document.', json: { $ref: '#/components/schemas/OpenApiDocument' } } },
  },
  {
    method: 'get', path: '/docs', operationId: 'docsPage', tag: 'operations', summary: 'This document as a readable API reference',
    description:
      'Swagger UI rendering `/openapi.json`. Every asset comes from this host (`/docs/assets/…`), nothing from another origin, ' +
      'and the page runs under a Content-Security-Policy without inline script or style.',
    access: KEYLESS, answers: { 200: { description: 'The reference page.', content: html }, 304: notModified },
  },
  {
    method: 'get', path: '/docs/assets/{file}', operationId: 'docsAsset', tag: 'operations', summary: 'An asset of the API reference page',
    description: 'Swagger UI\'s stylesheet, bundle and icon (from the installed `swagger-ui-dist`, cached for a year: their URLs carry its version) and the page\'s init script.',
    pathParameters: { file: { enum: Object.keys(DOCS_ASSETS) } },
    access: KEYLESS,
    answers: {
      200: {
        description: 'The file.',
        content: {
          'text/javascript; charset=utf-8': { schema: { type: 'string' } },
          'text/css; charset=utf-8': { schema: { type: 'string' } },
          'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } },
        },
      },
      304: notModified,
    },
    errors: ['not_found'],
  },
  {
    method: 'get', path: '/console', operationId: 'consolePage', tag: 'console', summary: 'The web console',
    description: 'A static page; every piece of data comes from the API with the user\'s key. `/console/` answers the same page.',
    access: KEYLESS, answers: { 200: { description: 'The console page.', content: html }, 304: notModified },
  },
  {
    method: 'get', path: '/console/assets/{file}', operationId: 'consoleAsset', tag: 'console', summary: 'A console asset',
    access: KEYLESS,
    answers: {
      200: {
        description: 'The file.',
        content: {
          'text/javascript; charset=utf-8': { schema: { type: 'string' } },
          'text/css; charset=utf-8': { schema: { type: 'string' } },
          'image/svg+xml': { schema: { type: 'string' } },
          ...html,
        },
      },
      304: notModified,
    },
    errors: ['not_found'],
  },
];
