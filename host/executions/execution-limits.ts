/**
 * The limits of one execution (docs/plugins.md "Checks on every execution": the
 * effective limit is the minimum of the manifest's ask and the tenant's tier,
 * with the tenant's overrides applied): CPU and memory from the tenant's
 * effective limits, wall time from the manifest capped by the operator's
 * ceiling, output and logs bounded as the code contract says.
 */
import type { PluginManifest } from '../../manifests/plugin-manifest.schema.js';
import type { ExecutionLimits } from '../../runtime/types.js';
import type { TierLimits } from '../foundation/tiers.js';

/** docs/plugins.md "The code contract": logs are bounded to 100 lines and 16 KiB. */
export const LOG_BOUNDS = Object.freeze({ maxLogLines: 100, maxLogBytes: 16 * 1024 });

/** An output may be as large as a default JSON request body (1 MiB). */
export const MAX_OUTPUT_BYTES = 1024 * 1024;

/** Without a manifest ask, a plugin gets this much wall time (capped by the operator's ceiling). */
export const DEFAULT_TIMEOUT_MS = 5_000;

export function executionLimits(manifest: PluginManifest, tenant: Pick<TierLimits, 'cpuMs' | 'memoryMb'>, maxTimeoutMs: number): ExecutionLimits {
  const ask = manifest.limits ?? {};
  return {
    cpuMs: Math.min(ask.cpuMs ?? tenant.cpuMs, tenant.cpuMs),
    memoryMb: Math.min(ask.memoryMb ?? tenant.memoryMb, tenant.memoryMb),
    timeoutMs: Math.min(ask.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxTimeoutMs),
    maxOutputBytes: MAX_OUTPUT_BYTES,
    ...LOG_BOUNDS,
  };
}
