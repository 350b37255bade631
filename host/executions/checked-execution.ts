/**
 * An execution judged as Bazaar judges it, on the host and in `bazaar run`
 * alike: input checked against the action's schema before the sandbox (a
 * mismatch is still an execution, `invalid_input`), output checked after
 * (`invalid_output`).
 */
import type { ExecutionErrorCode } from '../../manifests/errors.js';
import { describeIssues, type ManifestSchemas } from '../../marketplace/action-schemas.js';
import type { ExecutionRequest, ExecutionResult, SandboxRuntime } from '../../runtime/types.js';

export async function executeChecked(
  runtime: Pick<SandboxRuntime, 'execute'>,
  schemas: ManifestSchemas,
  request: ExecutionRequest,
): Promise<ExecutionResult> {
  const { action } = request;
  const inputIssues = schemas.checkInput(action, request.input);
  if (inputIssues.length > 0) {
    return failedExecution('invalid_input', `input does not match the input schema of "${action}": ${describeIssues(inputIssues)}`);
  }
  const result = await runtime.execute(request);
  if (result.status !== 'succeeded') return result;
  const outputIssues = schemas.checkOutput(action, result.output);
  if (outputIssues.length > 0) {
    return failedExecution('invalid_output', `output does not match the output schema of "${action}": ${describeIssues(outputIssues)}`, result);
  }
  return result;
}

/** A failed result; `before` keeps the logs and usage of a run that did happen. */
export function failedExecution(code: ExecutionErrorCode, message: string, before?: ExecutionResult): ExecutionResult {
  return {
    status: 'failed',
    output: null,
    logs: before?.logs ?? [],
    usage: before?.usage ?? { cpuMs: 0, wallMs: 0, memoryBytes: 0 },
    error: { code, message },
  };
}
