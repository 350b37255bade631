/**
 * Executions (docs/http-api.md "Executions"): execute-routes.ts and
 * execution-routes.ts. A run answers 200, or 422 for a failure the plugin
 * caused (still an execution: metered, counted); refusals before the sandbox
 * are ordinary errors.
 */
import type { ErrorCode, ExecutionErrorCode } from '../../manifests/errors.js';
import { EXECUTION_ID } from '../metering/usage-record.js';
import { PAGINATION } from '../foundation/openapi/common-components.js';
import { oneOfScopes, type AnswerSpec, type OperationSpec } from '../foundation/openapi/operation.js';
import { anyJson, dateTime, exact, nonNegativeInteger, nonNegativeNumber, oneOfStrings, page, ref, uuid, type Schema } from '../foundation/openapi/schema-kit.js';
import { parseExecuteBody } from './execute-routes.js';

export const EXECUTION_ERROR_CODES: readonly ExecutionErrorCode[] = [
  'execution_timeout',
  'memory_limit_exceeded',
  'plugin_error',
  'invalid_input',
  'invalid_output',
  'output_too_large',
  'sandbox_crashed',
];

const usage = exact({ cpuMs: nonNegativeNumber, wallMs: nonNegativeNumber, memoryBytes: nonNegativeInteger });
const logs: Schema = { type: 'array', items: { type: 'string' }, description: 'What the plugin logged.' };
const pluginStack: Schema = {
  type: 'string',
  description: 'For an error the plugin threw: its own frames, one per line, as package-relative file:line:column ("    at boom (index.js:4:11)"); never a host frame.',
};

/** One execution as GET /v1/executions lists it (host/metering/usage-record.ts `executionToJson`). */
const executionFields: Record<string, Schema> = {
  executionId: { type: 'string', pattern: EXECUTION_ID.source },
  installId: uuid,
  plugin: { type: 'string' },
  version: { type: 'string' },
  action: { type: 'string' },
  status: oneOfStrings(['succeeded', 'failed']),
  error: { anyOf: [exact({ code: { type: 'string' } }), { type: 'null' }] },
  usage: exact({
    cpuMs: nonNegativeNumber,
    wallMs: nonNegativeNumber,
    memoryBytes: nonNegativeInteger,
    inputBytes: nonNegativeInteger,
    outputBytes: nonNegativeInteger,
  }),
  startedAt: dateTime,
  finishedAt: dateTime,
};

export const executionSchemas: Record<string, Schema> = {
  ExecutionUsage: usage,
  ExecutionSucceeded: exact({
    executionId: { type: 'string' },
    status: { const: 'succeeded' },
    output: anyJson,
    logs,
    usage: ref('ExecutionUsage'),
  }),
  ExecutionFailed: {
    ...exact({
      error: exact({ code: oneOfStrings(EXECUTION_ERROR_CODES), message: { type: 'string' }, stack: pluginStack }, ['stack']),
      executionId: { type: 'string' },
      logs,
      usage: ref('ExecutionUsage'),
      requestId: { type: 'string' },
    }),
    description: 'A failure caused by the plugin: the error envelope plus the execution id, logs and usage.',
  },
  Execution: exact(executionFields),
  ExecutionDetail: {
    ...exact({
      ...executionFields,
      error: {
        anyOf: [
          {
            type: 'object',
            required: ['code'],
            properties: {
              code: { type: 'string' },
              message: { type: 'string', description: 'While the logs are kept.' },
              stack: { type: 'string', description: 'While the logs are kept, when the failure had one (plugin frames only).' },
            },
            additionalProperties: { type: 'string' },
          },
          { type: 'null' },
        ],
      },
      logs: {
        anyOf: [logs, { type: 'null' }],
        description: 'What the plugin logged, while it is kept (failed executions, for the configured number of days); `null` when it never was or has expired.',
      },
    }),
    description: 'One execution: the list entry plus its logs and full error while they are kept.',
  },
};

const EXECUTE_REFUSALS: ErrorCode[] = ['quota_exceeded', 'trust_policy', 'version_yanked', 'version_quarantined', 'concurrency_limited'];

const CPU_BUDGET_HEADERS = {
  'X-CpuBudget-Limit': { $ref: '#/components/headers/X-CpuBudget-Limit' },
  'X-CpuBudget-Remaining': { $ref: '#/components/headers/X-CpuBudget-Remaining' },
};

const executionAnswers: Record<number, AnswerSpec> = {
  200: { description: 'The plugin succeeded.', json: ref('ExecutionSucceeded'), headers: CPU_BUDGET_HEADERS },
  422: {
    description: `The plugin failed: ${EXECUTION_ERROR_CODES.map((c) => `\`${c}\``).join(', ')}. Still an execution (metered, counted).`,
    json: ref('ExecutionFailed'),
    errorCodes: EXECUTION_ERROR_CODES,
    headers: CPU_BUDGET_HEADERS,
  },
};

const executeDescription =
  'Runs one action in the sandbox. Refusals before the sandbox are not executions: 402 `quota_exceeded`, 403 `trust_policy`, ' +
  '`version_yanked`, `version_quarantined`, 429 `rate_limited` (requests per minute, or the CPU budget per minute: then with ' +
  '`X-CpuBudget-*`), `concurrency_limited` (the tenant\'s concurrent executions, or saturated sandboxes where it could not start in time). ' +
  'The wall-clock limit runs from admission: waiting for a sandbox counts.';

export const executionOperations: OperationSpec[] = [
  {
    method: 'post', path: '/v1/installs/{id}/executions', operationId: 'executeInstall', tag: 'executions', summary: 'Run an install',
    description: executeDescription,
    access: oneOfScopes('plugins:execute'), body: parseExecuteBody.schema, idempotent: true,
    answers: executionAnswers, errors: EXECUTE_REFUSALS,
  },
  {
    method: 'post', path: '/v1/plugins/{name}/execute', operationId: 'executePlugin', tag: 'executions', summary: "Run the tenant's install of a plugin",
    description: `${executeDescription} No install of that plugin: 404.`,
    access: oneOfScopes('plugins:execute'), body: parseExecuteBody.schema, idempotent: true,
    answers: executionAnswers, errors: EXECUTE_REFUSALS,
  },
  {
    method: 'get', path: '/v1/executions', operationId: 'listExecutions', tag: 'executions', summary: "The tenant's executions, newest first",
    access: oneOfScopes('plugins:execute', 'plugins:install', 'billing:read'),
    parameters: [
      { name: 'install', in: 'query', schema: { type: 'string', format: 'uuid' }, description: 'Only this install.' },
      { name: 'status', in: 'query', schema: oneOfStrings(['succeeded', 'failed']), description: 'Only this status.' },
      ...PAGINATION,
    ],
    answers: { 200: { description: 'A page of executions (no output, never kept, and no logs: those only on one execution).', json: page(ref('Execution')) } },
    errors: ['invalid_request'],
  },
  {
    method: 'get', path: '/v1/executions/{id}', operationId: 'getExecution', tag: 'executions', summary: 'One execution',
    access: oneOfScopes('plugins:execute', 'plugins:install', 'billing:read'),
    pathParameters: { id: { type: 'string', pattern: EXECUTION_ID.source } },
    description:
      'Answers `logs` while they are kept: failed executions keep their logs and full error (`message`, a `stack` when the failure had one) ' +
      'for a configured number of days after they finished (`BAZAAR_EXECUTION_LOG_RETENTION_DAYS`, default 7; succeeded ones too with ' +
      '`BAZAAR_EXECUTION_LOG_KEEP_SUCCEEDED`). Otherwise, or once expired, `logs` is `null` and `error` only has its `code`.',
    answers: { 200: { description: 'The execution.', json: ref('ExecutionDetail') } },
  },
];
