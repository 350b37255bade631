/**
 * Request and answer examples of the main operations, by operationId, so a
 * reader of `/docs` sees one whole round trip of each: publish, review,
 * install, execute (success and failure), read an execution, usage, create an
 * API key. They are attached to the `application/json` media types by
 * openapi-document.ts; the Redocly lint (test/openapi/lint.test.ts) checks
 * every one against its schema, so they cannot drift from the contract.
 *
 * One story runs through them: tenant `acme` installs `@examples/slugify`.
 */
import type { Schema } from '../foundation/openapi/schema-kit.js';

export interface Example {
  readonly summary: string;
  readonly value: unknown;
}

export interface OperationExamples {
  /** Examples of the JSON request body, by name. */
  readonly request?: Readonly<Record<string, Example>>;
  /** Examples of the JSON answer, by status, then name. */
  readonly responses?: Readonly<Record<number, Readonly<Record<string, Example>>>>;
}

const TENANT_ID = '5b0c8f5e-8d2a-4a43-9a53-3f7f1c9a2b10';
const PUBLISHER_ID = '0f6d7c1e-4b8a-4f3e-9d2c-6a1b2c3d4e5f';
const INSTALL_ID = '9a7e3c1d-2b4f-4e6a-8c0d-1f2e3d4c5b6a';
const EXECUTION_ID = '7c2e4a91-3b5d-4f68-a0c2-e4f6081a3c5e';
const SHA256 = '3f1c9a2b7d4e6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708';

const TRUST = {
  score: 82.4,
  risk: 'low',
  factors: { codeQuality: 92, executionHistory: 70, security: 95, community: 50, maintenance: 70, compliance: 100 },
  evidence: [
    { factor: 'codeQuality', signal: 'action-schemas', detail: 'every action declares input and output schemas', impact: 10, severity: 'info' },
    { factor: 'security', signal: 'permissions', detail: 'asks for no network host and no key-value store', impact: 5, severity: 'info' },
    { factor: 'executionHistory', signal: 'baseline', detail: 'no executions yet: the prior for a new version', impact: 70 },
    { factor: 'compliance', signal: 'license', detail: 'MIT is a valid SPDX expression', impact: 20, severity: 'info' },
  ],
  findings: [],
  weights: { codeQuality: 0.2, executionHistory: 0.15, security: 0.3, community: 0.1, maintenance: 0.1, compliance: 0.15 },
  computedAt: '2031-03-10T09:00:02.000Z',
};

const MANIFEST = {
  name: '@examples/slugify',
  version: '1.0.0',
  description: 'Turns titles into URL slugs.',
  main: 'index.js',
  engine: '^1.0.0',
  license: 'MIT',
  actions: {
    slugify: {
      description: 'Slugify one title',
      input: { type: 'object', required: ['title'], properties: { title: { type: 'string', maxLength: 1000 } } },
      output: { type: 'object', required: ['slug'], properties: { slug: { type: 'string' } } },
    },
  },
  defaultAction: 'slugify',
  permissions: { kv: false, network: { hosts: [] } },
  limits: { cpuMs: 50, memoryMb: 32, timeoutMs: 1000 },
  config: { type: 'object', properties: { separator: { type: 'string', enum: ['-', '_', '.'], default: '-' } } },
};

/** Which execution the getExecution examples show: one of slugify's on the example install. */
const SLUGIFY_EXECUTION = { executionId: EXECUTION_ID, installId: INSTALL_ID, plugin: '@examples/slugify', version: '1.0.0', action: 'slugify' };
const USAGE = { cpuMs: 1.8, wallMs: 3.2, memoryBytes: 1_482_752 };

const EXECUTE: OperationExamples = {
  request: { slugify: { summary: 'Run the default action', value: { input: { title: 'Hello, World!' } } } },
  responses: {
    200: { succeeded: { summary: 'The plugin answered', value: { executionId: EXECUTION_ID, status: 'succeeded', output: { slug: 'hello-world' }, logs: ['slugifying 13 chars'], usage: USAGE } } },
    422: {
      invalidInput: {
        summary: 'The input does not match the action\'s input schema (still an execution: metered and counted)',
        value: {
          error: { code: 'invalid_input', message: 'The input does not match the action\'s input schema: /title must be string.' },
          executionId: 'b1d3f5a7-9c0e-4a2b-8d4f-6a8c0e2b4d6f',
          logs: [],
          usage: { cpuMs: 0, wallMs: 0.4, memoryBytes: 0 },
          requestId: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
        },
      },
    },
  },
};

export const OPERATION_EXAMPLES: Readonly<Record<string, OperationExamples>> = {
  publishPackage: {
    responses: {
      201: {
        published: {
          summary: 'Published, waiting for review',
          value: { name: '@examples/slugify', version: '1.0.0', status: 'pending_review', sha256: SHA256, trust: TRUST },
        },
      },
      400: {
        invalidManifest: {
          summary: 'The manifest fails its schema: the issues are in `details`',
          value: {
            error: {
              code: 'invalid_manifest',
              message: "manifest.json is invalid (/ must have required property 'engine')",
              details: [{ path: '', keyword: 'required', message: "must have required property 'engine'" }],
            },
            requestId: '1e2d3c4b-5a69-4788-97a6-b5c4d3e2f1a0',
          },
        },
      },
    },
  },
  reviewVersion: {
    request: { approve: { summary: 'Approve a pending version', value: { decision: 'approve', notes: 'Pure text transform, no permissions.' } } },
    responses: {
      200: {
        approved: {
          summary: 'The version, now approved',
          value: {
            name: '@examples/slugify',
            version: '1.0.0',
            status: 'approved',
            statusReason: 'Pure text transform, no permissions.',
            sha256: SHA256,
            compressedBytes: 1834,
            unpackedBytes: 4210,
            publishedAt: '2031-03-10T09:00:02.000Z',
            publisherTenantId: PUBLISHER_ID,
            deprecated: null,
            manifest: MANIFEST,
            trust: TRUST,
          },
        },
      },
    },
  },
  createInstall: {
    request: { install: { summary: 'Install the latest approved 1.x with a config', value: { plugin: '@examples/slugify', version: '^1.0.0', config: { separator: '_' } } } },
    responses: {
      201: {
        installed: {
          summary: 'Installed and active',
          value: {
            id: INSTALL_ID,
            plugin: '@examples/slugify',
            version: '1.0.0',
            config: { separator: '_' },
            permissions: { kv: false, network: { hosts: [] } },
            status: 'active',
            pendingVersion: null,
            pendingPermissions: null,
            rollout: null,
            lastRolloutAbort: null,
            shadow: null,
            createdAt: '2031-03-10T09:05:00.000Z',
            updatedAt: '2031-03-10T09:05:00.000Z',
            warnings: [],
          },
        },
      },
    },
  },
  getShadowReport: {
    responses: {
      200: {
        report: {
          summary: 'A shadow of 1.1.0 on every execution: one output differed',
          value: {
            version: '1.1.0',
            sampleRate: 1,
            startedAt: '2031-03-10T09:30:00.000Z',
            compared: 120,
            identical: 119,
            different: 1,
            candidateFailed: 0,
            samples: [{ executionId: EXECUTION_ID, output: { slug: 'hello_world' }, candidateOutput: { slug: 'hello-world' } }],
            cpuMs: { current: { p50: 1.8, p95: 3.1 }, candidate: { p50: 2.2, p95: 4.0 } },
            deniedHostCalls: [{ kind: 'network', host: 'api.example.com' }],
            costPer1000: { current: 50, candidate: 50, difference: 0 },
          },
        },
      },
    },
  },
  executeInstall: EXECUTE,
  executePlugin: EXECUTE,
  getExecution: {
    responses: {
      200: {
        succeeded: {
          summary: 'A finished execution, with the version that ran',
          value: {
            ...SLUGIFY_EXECUTION,
            status: 'succeeded',
            error: null,
            usage: { ...USAGE, inputBytes: 25, outputBytes: 22 },
            startedAt: '2031-03-10T09:06:00.120Z',
            finishedAt: '2031-03-10T09:06:00.124Z',
            logs: null,
          },
        },
        failed: {
          summary: 'A failed execution keeps its logs and error for the retention period',
          value: {
            ...SLUGIFY_EXECUTION,
            status: 'failed',
            error: { code: 'plugin_error', message: 'Error: title is empty', stack: '    at slugify (index.js:4:11)' },
            usage: { ...USAGE, inputBytes: 12, outputBytes: 0 },
            startedAt: '2031-03-10T09:07:00.120Z',
            finishedAt: '2031-03-10T09:07:00.123Z',
            logs: ['slugifying 0 chars'],
          },
        },
      },
    },
  },
  getUsage: {
    responses: {
      200: {
        byPlugin: {
          summary: '`?groupBy=plugin` over the current period',
          value: {
            from: '2031-03-01T00:00:00.000Z',
            to: '2031-04-01T00:00:00.000Z',
            groupBy: 'plugin',
            executions: 1250,
            cpuMs: 2310.5,
            wallMs: 4122.9,
            byStatus: { succeeded: 1243, failed: 7 },
            byErrorCode: { invalid_input: 6, execution_timeout: 1 },
            groups: [
              { plugin: '@examples/slugify', executions: 1250, cpuMs: 2310.5, wallMs: 4122.9, byStatus: { succeeded: 1243, failed: 7 }, byErrorCode: { invalid_input: 6, execution_timeout: 1 } },
            ],
            quota: {
              period: '2031-03-01T00:00:00.000Z/2031-04-01T00:00:00.000Z',
              periodStart: '2031-03-01T00:00:00.000Z',
              periodEnd: '2031-04-01T00:00:00.000Z',
              included: 50000,
              used: 1250,
              remaining: 48750,
            },
          },
        },
      },
    },
  },
  createApiKey: {
    request: { tenantKey: { summary: 'A key to install and run plugins', value: { name: 'production', scopes: ['plugins:install', 'plugins:execute'], expiresAt: null } } },
    responses: {
      201: {
        created: {
          summary: 'The key, with its secret shown this once',
          value: {
            id: '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f',
            tenantId: TENANT_ID,
            name: 'production',
            prefix: 'bzr_4f2a9c1e',
            scopes: ['plugins:install', 'plugins:execute'],
            expiresAt: null,
            lastUsedAt: null,
            revokedAt: null,
            createdAt: '2031-03-10T09:04:00.000Z',
            key: 'bzr_4f2a9c1e7b3d5f608a1c2e3b4d5f6a7b',
          },
        },
      },
    },
  },
};

/** `operation` (an Operation Object) with `examples`'s request and answer examples on its JSON media types. */
export function withExamples(operationId: string, operation: Schema, examples: OperationExamples | undefined): Schema {
  if (examples === undefined) return operation;
  const requestMedia = (operation.requestBody as Schema | undefined)?.content?.['application/json'] as Schema | undefined;
  if (examples.request !== undefined) {
    if (requestMedia === undefined) throw new Error(`openapi examples: ${operationId} has no JSON request body`);
    requestMedia.examples = examples.request;
  }
  for (const [status, byName] of Object.entries(examples.responses ?? {})) {
    const media = (operation.responses as Record<string, Schema>)[status]?.content?.['application/json'] as Schema | undefined;
    if (media === undefined) throw new Error(`openapi examples: ${operationId} has no JSON answer ${status}`);
    media.examples = byName;
  }
  return operation;
}
