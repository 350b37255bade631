/** Plugin analytics (docs/http-api.md "Billing, usage and analytics"): analytics-routes.ts. */
import { timeRangeParameters } from '../foundation/openapi/common-components.js';
import { oneOfScopes, type OperationSpec } from '../foundation/openapi/operation.js';
import { dateTime, exact, nonNegativeInteger, nonNegativeNumber, ref, type Schema } from '../foundation/openapi/schema-kit.js';

const msStats = exact({ total: nonNegativeNumber, p50: nonNegativeNumber, p95: nonNegativeNumber });

export const analyticsSchemas: Record<string, Schema> = {
  PluginAnalytics: exact({
    plugin: { type: 'string' },
    from: dateTime,
    to: dateTime,
    granularity: { const: 'hour' },
    versions: {
      type: 'array',
      items: exact({
        version: { type: 'string' },
        series: {
          type: 'array',
          description: 'One entry per hour with executions.',
          items: exact({
            hour: dateTime,
            executions: nonNegativeInteger,
            succeeded: nonNegativeInteger,
            failed: nonNegativeInteger,
            successRate: { type: ['number', 'null'], minimum: 0, maximum: 1 },
            timeouts: nonNegativeInteger,
            memoryLimitExceeded: nonNegativeInteger,
            pluginErrors: nonNegativeInteger,
            invalidInputs: nonNegativeInteger,
            cpuMs: msStats,
            wallMs: msStats,
          }),
        },
      }),
    },
  }),
};

export const analyticsOperations: OperationSpec[] = [
  {
    method: 'get', path: '/v1/analytics/plugins/{name}', operationId: 'pluginAnalytics', tag: 'analytics', summary: "A plugin's hourly series per version",
    description: 'For the publisher of that scope, reviewers and the operator; any other tenant gets 404.',
    access: oneOfScopes('plugins:publish', 'reviews:write'),
    parameters: timeRangeParameters('Default: the last 7 days; at most 92 days.'),
    answers: { 200: { description: 'Executions, success rate, p50/p95 wall and CPU time per hour.', json: ref('PluginAnalytics') } },
    errors: ['invalid_request'],
  },
];
