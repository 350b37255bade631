/**
 * One local execution, judged as the host judges it: config validated with
 * defaults applied, input checked before the sandbox (a refusal is still an
 * execution result, `invalid_input`), output checked after (`invalid_output`).
 */
import { randomUUID } from 'node:crypto';
import { BazaarError } from '../../manifests/errors.js';
import { resolveActionName } from '../../manifests/manifest-validator.js';
import { describeIssues, ManifestSchemas, type ActionSchemaCache } from '../../marketplace/action-schemas.js';
import type { PluginPackage } from '../../marketplace/package-archive.js';
import { executeChecked } from '../executions/checked-execution.js';
import type { ExecutionLimits, ExecutionRequest, ExecutionResult, HostBridge, JsonValue } from '../../runtime/types.js';

/** The part of the runtime this needs (runtime/index.ts `createSandboxRuntime`). */
export interface Executor {
  execute(request: ExecutionRequest): Promise<ExecutionResult>;
}

export interface RunOptions {
  action?: string;
  input: JsonValue;
  config?: JsonValue;
  limits: ExecutionLimits;
  bridge?: HostBridge;
  /** Reuse compiled schemas across runs (keyed by the package's sha256); one run compiles its own. */
  schemas?: ActionSchemaCache;
}

/** The action to run, or a usage error listing the ones there are. */
export function chooseAction(pkg: PluginPackage, requested: string | undefined): string {
  const actions = Object.keys(pkg.manifest.actions);
  const action = resolveActionName(pkg.manifest, requested);
  if (action === undefined) {
    throw new BazaarError('invalid_request', `${pkg.manifest.name} has several actions and no defaultAction: pick one with --action (${actions.join(', ')})`);
  }
  if (!actions.includes(action)) {
    throw new BazaarError('invalid_request', `${pkg.manifest.name} has no action "${action}" (it has: ${actions.join(', ')})`);
  }
  return action;
}

/**
 * Runs one action of a package in the sandbox.
 * @throws BazaarError `invalid_request` (unknown action) or `invalid_config`
 *   with the schema issues as `details`: problems of the invocation, not executions.
 */
export async function runPlugin(executor: Executor, pkg: PluginPackage, options: RunOptions): Promise<ExecutionResult> {
  const action = chooseAction(pkg, options.action);
  const schemas = options.schemas?.get(pkg.sha256, pkg.manifest) ?? new ManifestSchemas(pkg.manifest);
  const config = schemas.resolveConfig(options.config ?? {});
  if (!config.valid) {
    throw new BazaarError('invalid_config', `config does not match the plugin's config schema: ${describeIssues(config.issues)}`, config.issues);
  }
  return executeChecked(executor, schemas, {
    installId: `local-${pkg.sha256.slice(0, 16)}`,
    executionId: randomUUID(),
    code: { sha256: pkg.sha256, main: pkg.manifest.main, files: pkg.files },
    action,
    input: options.input,
    config: config.config as JsonValue,
    limits: options.limits,
    ...(options.bridge ? { bridge: options.bridge } : {}),
  });
}
