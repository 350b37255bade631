/** Usage and quota (docs/http-api.md "Billing, usage and analytics"): usage-routes.ts. */
import { timeRangeParameters } from '../foundation/openapi/common-components.js';
import { oneOfScopes, type OperationSpec } from '../foundation/openapi/operation.js';
import { dateTime, exact, nonNegativeInteger, nonNegativeNumber, oneOfStrings, ref, type Schema } from '../foundation/openapi/schema-kit.js';

const usageNumbers: Record<string, Schema> = {
  executions: nonNegativeInteger,
  cpuMs: nonNegativeNumber,
  wallMs: nonNegativeNumber,
  byStatus: exact({ succeeded: nonNegativeInteger, failed: nonNegativeInteger }),
  byErrorCode: { type: 'object', additionalProperties: nonNegativeInteger, description: 'Failed executions per error code (only codes that occurred).' },
};

export const meteringSchemas: Record<string, Schema> = {
  UsageReport: exact({
    from: dateTime,
    to: dateTime,
    groupBy: { type: ['string', 'null'], enum: ['day', 'plugin', null] },
    ...usageNumbers,
    groups: {
      type: 'array',
      description: 'One entry per day (`day`: YYYY-MM-DD) or plugin (`plugin`); empty without `groupBy`.',
      items: exact({ ...usageNumbers, day: { type: 'string', format: 'date' }, plugin: { type: 'string' } }, ['day', 'plugin']),
    },
    quota: exact({
      period: {
        type: 'string',
        description: 'The quota period: `<periodStart>/<periodEnd>` (the subscription\'s billing period), or the UTC month (YYYY-MM) for a tenant without a subscription.',
      },
      periodStart: dateTime,
      periodEnd: dateTime,
      included: { type: ['integer', 'null'], description: 'null: unlimited.' },
      used: nonNegativeInteger,
      remaining: { type: ['integer', 'null'] },
    }),
  }),
};

export const meteringOperations: OperationSpec[] = [
  {
    method: 'get', path: '/v1/usage', operationId: 'getUsage', tag: 'billing', summary: "The tenant's usage and quota",
    access: oneOfScopes('billing:read'),
    parameters: [
      ...timeRangeParameters('Default: the current UTC month; at most 366 days.'),
      { name: 'groupBy', in: 'query', schema: oneOfStrings(['day', 'plugin']), description: 'Group by UTC day or by plugin.' },
    ],
    answers: { 200: { description: 'Executions, CPU and wall time by status and error code, plus the quota.', json: ref('UsageReport') } },
    errors: ['invalid_request'],
  },
];
