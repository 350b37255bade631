/**
 * Which side of a gradual rollout one execution runs (installs/rollout-service.ts).
 *
 * The choice is a pure function of the execution id: its SHA-256 maps to a
 * bucket 0..99 and buckets under `percent` run the rollout's version. Every
 * host process decides alike with no coordination and no extra round trip
 * (the rollout's version comes with the cached install), and an execution
 * replayed under the same id runs the same version again.
 *
 * The rollout's side is the install as it would be after promotion: the new
 * version's code, manifest, status and trust, with the config and
 * permissions resolved for it, so the trust gate, the bridge, the usage
 * record (`version`) and the trust feed all name the version that ran.
 *
 * A rollout version that is no longer approved (yanked or quarantined since)
 * gets no traffic: the install runs as if there were no rollout, rather than
 * refusing a share of its executions.
 */
import { createHash } from 'node:crypto';
import type { ExecutableInstall } from '../installs/ports.js';

export function rolloutBucket(executionId: string): number {
  return createHash('sha256').update(executionId).digest().readUInt32BE(0) % 100;
}

/** The executable install this execution runs: the installed version, or the rollout's. */
export function rolloutSide(target: ExecutableInstall, executionId: string): ExecutableInstall {
  const { rollout } = target.install;
  if (rollout === null || target.rollout === null || target.rollout.status !== 'approved') return target;
  if (rolloutBucket(executionId) >= rollout.percent) return target;
  return {
    ...target.rollout,
    install: { ...target.install, version: rollout.version, config: rollout.config, permissions: rollout.permissions },
    rollout: null,
    shadow: target.shadow,
  };
}
