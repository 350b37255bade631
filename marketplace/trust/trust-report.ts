/**
 * The shape of a trust score: six factors (docs/product.md "Trust score"), each
 * 0–100 and explained by evidence, weighted to one score with a risk level.
 *
 * Every factor is computed as a sum of evidence impacts clamped to 0..100; the
 * first evidence of each factor is its `baseline`, so a reviewer can add the
 * impacts up and get the factor's value.
 */

export const TRUST_FACTORS = ['codeQuality', 'executionHistory', 'security', 'community', 'maintenance', 'compliance'] as const;
export type TrustFactor = (typeof TRUST_FACTORS)[number];

export type FactorScores = Record<TrustFactor, number>;
export type TrustWeights = Record<TrustFactor, number>;

/**
 * Default weights (sum 1). Security and code quality are known at publish time
 * and weigh most; execution history and community start from priors and grow
 * in meaning as data arrives. Operators may override them (they are normalised).
 */
export const DEFAULT_TRUST_WEIGHTS: Readonly<TrustWeights> = Object.freeze({
  codeQuality: 0.2,
  executionHistory: 0.15,
  security: 0.3,
  community: 0.1,
  maintenance: 0.1,
  compliance: 0.15,
});

export type RiskLevel = 'minimal' | 'low' | 'medium' | 'high' | 'critical';

/** docs/product.md "Trust score": minimal ≥ 85, low ≥ 70, medium ≥ 50, high ≥ 30, critical < 30. */
export function riskLevel(score: number): RiskLevel {
  if (score >= 85) return 'minimal';
  if (score >= 70) return 'low';
  if (score >= 50) return 'medium';
  if (score >= 30) return 'high';
  return 'critical';
}

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

/** One reason behind a factor's value. `impact` is the signed change it made to that factor. */
export interface Evidence {
  readonly factor: TrustFactor;
  readonly signal: string;
  readonly detail: string;
  readonly impact: number;
  readonly severity?: Severity;
}

/** A static-analysis finding (also summarised in the evidence). */
export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly file: string;
  readonly line: number | null;
  readonly message: string;
}

export interface TrustReport {
  readonly score: number;
  readonly risk: RiskLevel;
  readonly factors: FactorScores;
  readonly evidence: Evidence[];
  readonly findings: Finding[];
  /** True when a critical finding exists: such a version is never auto-approved. */
  readonly hasCriticalFinding: boolean;
  readonly weights: TrustWeights;
  /** ISO-8601 UTC. */
  readonly computedAt: string;
}

/** The short form shown in lists. */
export function trustSummary(report: TrustReport): { score: number; risk: RiskLevel } {
  return { score: report.score, risk: report.risk };
}

/** Validates operator weights: six finite non-negative numbers, not all zero. */
export function normaliseWeights(weights: Partial<TrustWeights> | undefined): TrustWeights {
  const merged = { ...DEFAULT_TRUST_WEIGHTS, ...weights };
  const total = TRUST_FACTORS.reduce((sum, f) => sum + merged[f], 0);
  if (!TRUST_FACTORS.every((f) => Number.isFinite(merged[f]) && merged[f] >= 0) || total <= 0) {
    throw new RangeError('trust weights must be non-negative numbers with a positive sum');
  }
  return Object.fromEntries(TRUST_FACTORS.map((f) => [f, merged[f] / total])) as TrustWeights;
}
