/**
 * Combines the six factors into one trust score: a weighted mean, rounded,
 * with its risk level. A critical finding (a sandbox-escape pattern, code
 * that cannot parse, a deny-listed hash) caps the score at CRITICAL_CAP, so
 * its risk is `critical` whatever the other factors say.
 */
import type { PluginManifest } from '../../manifests/plugin-manifest.schema.js';
import type { CommunityStats, ExecutionStats } from '../ports.js';
import type { CodeAnalysis } from './code-analysis.js';
import { codeQualityFactor } from './factors/code-quality.js';
import { communityFactor } from './factors/community.js';
import { complianceFactor } from './factors/compliance.js';
import { executionHistoryFactor } from './factors/execution-history.js';
import { maintenanceFactor, type ReleaseInfo } from './factors/maintenance.js';
import { denyListFindings, securityFactor } from './factors/security.js';
import type { FactorResult } from './factor-result.js';
import {
  DEFAULT_TRUST_WEIGHTS,
  TRUST_FACTORS,
  riskLevel,
  type FactorScores,
  type TrustFactor,
  type TrustReport,
  type TrustWeights,
} from './trust-report.js';

/** The highest score a version with a critical finding can have. */
export const CRITICAL_CAP = 29;

/** Operator policy for scoring. */
export interface TrustPolicy {
  /** Normalised weights (see normaliseWeights). */
  readonly weights: TrustWeights;
  /** Lower-case SHA-256 hex digests of packages or files known to be bad. */
  readonly denyList: ReadonlySet<string>;
}

export const DEFAULT_TRUST_POLICY: TrustPolicy = Object.freeze({ weights: DEFAULT_TRUST_WEIGHTS, denyList: new Set<string>() });

export interface TrustInputs {
  readonly manifest: PluginManifest;
  readonly packageSha256: string;
  readonly analysis: CodeAnalysis;
  /** Every version of the plugin, this one included. */
  readonly releases: readonly ReleaseInfo[];
  readonly execution: ExecutionStats | null;
  readonly community: CommunityStats;
  readonly now: Date;
}

/** Computes the full report: factors, evidence, findings, score, risk. */
export function computeTrust(inputs: TrustInputs, policy: TrustPolicy = DEFAULT_TRUST_POLICY): TrustReport {
  const results: Record<TrustFactor, FactorResult> = {
    codeQuality: codeQualityFactor(inputs.analysis, inputs.manifest),
    executionHistory: executionHistoryFactor(inputs.execution),
    security: securityFactor({
      analysis: inputs.analysis,
      manifest: inputs.manifest,
      packageSha256: inputs.packageSha256,
      denyList: policy.denyList,
      stats: inputs.execution,
    }),
    community: communityFactor(inputs.community, inputs.now),
    maintenance: maintenanceFactor(inputs.manifest.version, inputs.releases, inputs.now),
    compliance: complianceFactor(inputs.manifest),
  };
  const factors = Object.fromEntries(TRUST_FACTORS.map((f) => [f, results[f].score])) as FactorScores;
  const findings = [...denyListFindings({ ...inputs, denyList: policy.denyList }), ...inputs.analysis.findings];
  const hasCriticalFinding = findings.some((f) => f.severity === 'critical');
  const weighted = Math.round(TRUST_FACTORS.reduce((sum, f) => sum + factors[f] * policy.weights[f], 0));
  const score = hasCriticalFinding ? Math.min(weighted, CRITICAL_CAP) : weighted;
  return {
    score,
    risk: riskLevel(score),
    factors,
    evidence: TRUST_FACTORS.flatMap((f) => results[f].evidence),
    findings,
    hasCriticalFinding,
    weights: policy.weights,
    computedAt: inputs.now.toISOString(),
  };
}
