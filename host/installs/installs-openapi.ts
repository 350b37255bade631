/** Installs (docs/http-api.md "Installs"): install-routes.ts. */
import type { ErrorCode } from '../../manifests/errors.js';
import { PLUGIN_MANIFEST_SCHEMA } from '../../manifests/plugin-manifest.schema.js';
import { parseCreateInstall, parseUpdateInstall } from './install-schemas.js';
import { PAGINATION } from '../foundation/openapi/common-components.js';
import { oneOfScopes, type AnswerSpec, type OperationSpec } from '../foundation/openapi/operation.js';
import { anyJson, dateTime, embedded, exact, nonNegativeInteger, nullableString, oneOfStrings, page, ref, uuid, type Schema } from '../foundation/openapi/schema-kit.js';

const permissions = embedded(PLUGIN_MANIFEST_SCHEMA.properties.permissions);

const rolloutSide = exact({
  version: { type: 'string' },
  executions: { type: 'integer', minimum: 0 },
  failures: { type: 'integer', minimum: 0 },
  failureRate: { type: 'number', minimum: 0, maximum: 1 },
});

const percentiles = exact({ p50: { type: ['number', 'null'] }, p95: { type: ['number', 'null'] } });

const installProperties: Record<string, Schema> = {
  id: uuid,
  plugin: { type: 'string' },
  version: { type: 'string', description: 'The version that runs.' },
  config: anyJson,
  permissions: { ...permissions, required: ['kv', 'network'], description: 'What is granted and in force.' },
  status: {
    ...oneOfStrings(['active', 'pending_consent']),
    description: '`pending_consent`: an upgrade to `pendingVersion` waits for new permissions to be granted; `version` still runs.',
  },
  pendingVersion: nullableString,
  pendingPermissions: { anyOf: [permissions, { type: 'null' }], description: 'What the pending version still needs granted.' },
  rollout: {
    anyOf: [ref('InstallRollout'), { type: 'null' }],
    description: 'A gradual rollout in progress: `percent` of the executions run `version`, the rest the installed version.',
  },
  lastRolloutAbort: {
    anyOf: [ref('RolloutAbort'), { type: 'null' }],
    description: 'Why the last rollout was aborted, by the tenant or by the circuit breaker (with both versions\' figures).',
  },
  shadow: {
    anyOf: [ref('InstallShadow'), { type: 'null' }],
    description: 'Shadow runs in progress: a `sampleRate` share of the executions also runs on `version`, never answered nor billed.',
  },
  createdAt: dateTime,
  updatedAt: dateTime,
};

export const installSchemas: Record<string, Schema> = {
  Install: exact(installProperties),
  InstallAnswer: {
    ...exact({
      ...installProperties,
      warnings: { type: 'array', items: { type: 'string' }, description: 'Notices about the version installed (or waiting for consent), e.g. `@acme/x@1.0.0 is deprecated: <message>`.' },
    }),
    description: 'The install, with warnings beside it.',
  },
  InstallRollout: exact({ version: { type: 'string' }, percent: { type: 'integer', minimum: 1, maximum: 99 }, startedAt: dateTime }),
  InstallShadow: exact({ version: { type: 'string' }, sampleRate: { type: 'number', minimum: 0, maximum: 1 }, startedAt: dateTime }),
  ShadowReport: exact({
    version: { type: 'string', description: 'The candidate version.' },
    sampleRate: { type: 'number', minimum: 0, maximum: 1 },
    startedAt: dateTime,
    compared: { ...nonNegativeInteger, description: 'Shadow runs compared (the newest 1,000 are kept).' },
    identical: nonNegativeInteger,
    different: nonNegativeInteger,
    candidateFailed: { ...nonNegativeInteger, description: 'Runs where the installed version succeeded and the candidate failed.' },
    samples: {
      type: 'array',
      maxItems: 10,
      items: exact({ executionId: uuid, output: anyJson, candidateOutput: anyJson }),
      description: 'Differing or failed runs, both sides; a failed side shows `{error: {code, message}}`.',
    },
    cpuMs: exact({ current: percentiles, candidate: percentiles }),
    deniedHostCalls: {
      type: 'array',
      items: {
        anyOf: [exact({ kind: { type: 'string', const: 'kv' } }), exact({ kind: { type: 'string', const: 'network' }, host: { type: 'string' } })],
      },
      description: 'Distinct host calls the candidate made beyond the install\'s grants (refused).',
    },
    costPer1000: {
      ...exact({ current: { type: 'number' }, candidate: { type: 'number' }, difference: { type: 'number' } }),
      description: 'Cents per 1,000 executions: the tier\'s overage price plus the version\'s paid-plugin fee on the share that succeeded.',
    },
  }),
  RolloutAbort: exact({
    version: { type: 'string', description: 'The version that was rolling out.' },
    reason: { type: 'string' },
    at: dateTime,
    failureRates: {
      anyOf: [exact({ current: rolloutSide, rollout: rolloutSide }), { type: 'null' }],
      description: 'The figures since the rollout started that tripped the circuit breaker; null when the tenant aborted.',
    },
  }),
};

const install: AnswerSpec = { description: 'The install.', json: ref('Install') };
const INSTALL_ERRORS: ErrorCode[] = ['not_found', 'invalid_config', 'permissions_not_granted', 'plan_limit', 'conflict', 'version_not_installable'];
export const installOperations: OperationSpec[] = [
  {
    method: 'post', path: '/v1/installs', operationId: 'createInstall', tag: 'installs', summary: 'Install a plugin',
    description:
      '`version` may be a semver range or a dist-tag, resolved once to the version the install records (default: the `latest` tag). ' +
      'A deprecated version installs, with its message in `warnings`. Not approved: 409 `version_not_installable`; permissions asked ' +
      'for but not granted: 400 `permissions_not_granted`; config not matching the manifest: 400 `invalid_config`; over the ' +
      "tier's install count: 402 `plan_limit`; already installed: 409 `conflict`; a plugin the tenant cannot see: 404.",
    access: oneOfScopes('plugins:install'), body: parseCreateInstall.schema, idempotent: true,
    answers: { 201: { description: 'Installed.', json: ref('InstallAnswer') } }, errors: INSTALL_ERRORS,
  },
  {
    method: 'get', path: '/v1/installs', operationId: 'listInstalls', tag: 'installs', summary: "The tenant's installs",
    access: oneOfScopes('plugins:install', 'plugins:execute'), parameters: PAGINATION,
    answers: { 200: { description: 'A page of installs.', json: page(ref('Install')) } }, errors: ['invalid_request'],
  },
  {
    method: 'get', path: '/v1/installs/{id}', operationId: 'getInstall', tag: 'installs', summary: 'One install',
    access: oneOfScopes('plugins:install', 'plugins:execute'), answers: { 200: install },
  },
  {
    method: 'patch', path: '/v1/installs/{id}', operationId: 'updateInstall', tag: 'installs', summary: 'Upgrade or reconfigure an install',
    description:
      'An upgrade asking for new permissions stays pending (`pending_consent`) until they are granted; the old version keeps running. ' +
      '`version` may be a dist-tag (resolved once); upgrading to a deprecated version answers its message in `warnings`. ' +
      'With `{version, rollout: {percent}}`: a gradual rollout of `version` to that share of the executions (again: adjusts the percent); ' +
      'a version asking for permissions neither held nor granted here: 400 `permissions_not_granted`. While a rollout runs, an upgrade to ' +
      'a third version is 409 `conflict`. With `{shadow: {version, sampleRate}}` alone: shadow runs of `version` on that share of ' +
      'the executions, never answered nor billed, under the current grants (again: replaces them with a fresh report).',
    access: oneOfScopes('plugins:install'), body: parseUpdateInstall.schema,
    answers: { 200: { description: 'The install, with warnings beside it.', json: ref('InstallAnswer') } }, errors: INSTALL_ERRORS,
  },
  {
    method: 'post', path: '/v1/installs/{id}/rollout/promote', operationId: 'promoteRollout', tag: 'installs', summary: 'Promote a rollout',
    description: 'All traffic to the rollout\'s version: the install is upgraded to it (`install.upgraded`) and the rollout cleared.',
    access: oneOfScopes('plugins:install'), answers: { 200: install }, errors: ['not_found', 'no_rollout', 'version_not_installable', 'conflict'],
  },
  {
    method: 'post', path: '/v1/installs/{id}/rollout/abort', operationId: 'abortRollout', tag: 'installs', summary: 'Abort a rollout',
    description: 'Back to the installed version only; `lastRolloutAbort` records it.',
    access: oneOfScopes('plugins:install'), answers: { 200: install }, errors: ['not_found', 'no_rollout', 'conflict'],
  },
  {
    method: 'get', path: '/v1/installs/{id}/shadow', operationId: 'getShadowReport', tag: 'installs', summary: 'Compare the shadow runs',
    description: 'Outputs, CPU time, refused host calls and cost of the candidate against the installed version. No shadow runs: 404.',
    access: oneOfScopes('plugins:install'), answers: { 200: { description: 'The report.', json: ref('ShadowReport') } }, errors: ['not_found'],
  },
  {
    method: 'delete', path: '/v1/installs/{id}/shadow', operationId: 'stopShadow', tag: 'installs', summary: 'Stop the shadow runs',
    description: 'The shadow is cleared and its comparisons forgotten. No shadow runs: 404.',
    access: oneOfScopes('plugins:install'), answers: { 204: { description: 'Stopped.' } }, errors: ['not_found'],
  },
  {
    method: 'delete', path: '/v1/installs/{id}', operationId: 'deleteInstall', tag: 'installs', summary: 'Uninstall',
    access: oneOfScopes('plugins:install'), answers: { 204: { description: 'Uninstalled.' } },
  },
];
