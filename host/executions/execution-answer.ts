/**
 * The execution answer (docs/http-api.md "Executions"), exactly:
 * - 200 `{executionId, status: "succeeded", output, logs, usage: {cpuMs, wallMs, memoryBytes}}`
 * - 422 `{error: {code, message, stack?}, executionId, logs, usage, requestId}`: a
 *   failure caused by the plugin, still an execution (metered, counted);
 *   `stack` (a thrown error only) holds the plugin's own frames, package-relative.
 */
import type { Answer } from '../metering/idempotent-answer.js';
import type { ExecutionOutcome } from './execute-service.js';

export function executionAnswer(outcome: ExecutionOutcome, requestId: string): Answer {
  const { executionId, result } = outcome;
  const usage = { cpuMs: result.usage.cpuMs, wallMs: result.usage.wallMs, memoryBytes: result.usage.memoryBytes };
  if (result.status === 'succeeded') {
    return { status: 200, body: { executionId, status: 'succeeded', output: result.output, logs: result.logs, usage } };
  }
  const error = result.error ?? { code: 'plugin_error', message: 'The plugin failed.' };
  return {
    status: 422,
    body: { error: { code: error.code, message: error.message, ...(error.stack !== undefined && { stack: error.stack }) }, executionId, logs: result.logs, usage, requestId },
  };
}
