/**
 * The limits `bazaar run` and `bazaar dev` give an execution. By default they
 * are what the best-provisioned tenant would get on a host: the manifest's ask,
 * capped by the enterprise tier (the effective limit is the smaller of the two:
 * docs/plugins.md "Checks on every execution"). `--tier` caps by another tier
 * instead; the other flags override single limits, to debug a timeout.
 */
import { InvalidArgumentError } from 'commander';
import type { PluginManifest } from '../../manifests/plugin-manifest.schema.js';
import type { ExecutionLimits } from '../../runtime/types.js';
import { DEFAULT_TIERS, TIER_NAMES, type TierName } from '../foundation/tiers.js';

/** Tiers cap CPU and memory only; wall time gets this ceiling (time awaiting kv or fetch included). */
export const MAX_TIMEOUT_MS = 30_000;

/** docs/plugins.md "The code contract": logs are bounded to 100 lines and 16 KiB. */
const LOG_BOUNDS = { maxLogLines: 100, maxLogBytes: 16 * 1024 } as const;

/** An output may be as large as a JSON request body of the host (1 MiB by default). */
const MAX_OUTPUT_BYTES = 1024 * 1024;

export interface LimitFlags {
  /** The tier whose caps apply (default enterprise). */
  tier?: TierName;
  cpuMs?: number;
  memoryMb?: number;
  timeoutMs?: number;
}

/** `--tier free|pro|team|enterprise`, as a commander option parser. */
export function parseTier(text: string): TierName {
  if (!(TIER_NAMES as readonly string[]).includes(text)) throw new InvalidArgumentError(`must be one of ${TIER_NAMES.join(', ')}`);
  return text as TierName;
}

/** Effective limits: each flag if given, else min(manifest ask, the tier's cap). */
export function resolveRunLimits(manifest: PluginManifest, flags: LimitFlags): ExecutionLimits {
  const cap = DEFAULT_TIERS[flags.tier ?? 'enterprise'].limits;
  const ask = manifest.limits ?? {};
  return {
    cpuMs: flags.cpuMs ?? Math.min(ask.cpuMs ?? cap.cpuMs, cap.cpuMs),
    memoryMb: flags.memoryMb ?? Math.min(ask.memoryMb ?? cap.memoryMb, cap.memoryMb),
    timeoutMs: flags.timeoutMs ?? Math.min(ask.timeoutMs ?? MAX_TIMEOUT_MS, MAX_TIMEOUT_MS),
    maxOutputBytes: MAX_OUTPUT_BYTES,
    ...LOG_BOUNDS,
  };
}
