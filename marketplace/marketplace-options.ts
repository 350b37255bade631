/**
 * Operator settings of the marketplace: the auto-approval threshold, the
 * trust weights and deny-list, and the package limits. Parsed from an
 * environment record handed in by host wiring (this module never reads
 * process.env itself), validated once, and frozen.
 *
 * - BAZAAR_AUTO_APPROVE_MIN_SCORE  0..100; unset: every version waits for review
 * - BAZAAR_TRUST_WEIGHTS           e.g. "security=0.4,codeQuality=0.2" (others keep their default; normalised)
 * - BAZAAR_TRUST_DENY_HASHES       comma-separated SHA-256 hex of known-bad packages or files
 */
import { BazaarError } from '../manifests/errors.js';
import { DEFAULT_PACKAGE_LIMITS, type PackageLimits } from './package-limits.js';
import { normaliseWeights, TRUST_FACTORS, type TrustFactor, type TrustWeights } from './trust/trust-report.js';
import type { TrustPolicy } from './trust/trust-score.js';

export interface MarketplaceOptions {
  /** Versions scoring at least this, without critical findings, are approved at publish; null: never. */
  readonly autoApproveMinScore: number | null;
  readonly trust: TrustPolicy;
  readonly packageLimits: PackageLimits;
}

type Env = Readonly<Record<string, string | undefined>>;

function invalid(name: string, why: string): BazaarError {
  return new BazaarError('invalid_request', `Invalid configuration: ${name} ${why}`);
}

function parseThreshold(raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === '') return null;
  const value = Number(raw);
  if (!/^\s*\d{1,3}(\.\d+)?\s*$/.test(raw) || value > 100) throw invalid('BAZAAR_AUTO_APPROVE_MIN_SCORE', 'must be a number from 0 to 100');
  return value;
}

function parseWeights(raw: string | undefined): TrustWeights {
  if (raw === undefined || raw.trim() === '') return normaliseWeights(undefined);
  const weights: Partial<TrustWeights> = {};
  for (const part of raw.split(',')) {
    const [key, value] = part.split('=').map((s) => s.trim());
    if (!key || !(TRUST_FACTORS as readonly string[]).includes(key) || value === undefined || !/^\d+(\.\d+)?$/.test(value)) {
      throw invalid('BAZAAR_TRUST_WEIGHTS', `must look like "security=0.3,codeQuality=0.2" with factors ${TRUST_FACTORS.join(', ')}`);
    }
    weights[key as TrustFactor] = Number(value);
  }
  try {
    return normaliseWeights(weights);
  } catch (err) {
    throw invalid('BAZAAR_TRUST_WEIGHTS', (err as Error).message);
  }
}

function parseDenyList(raw: string | undefined): Set<string> {
  const hashes = (raw ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  const bad = hashes.find((h) => !/^[0-9a-f]{64}$/.test(h));
  if (bad !== undefined) throw invalid('BAZAAR_TRUST_DENY_HASHES', 'must be comma-separated SHA-256 hex digests');
  return new Set(hashes);
}

/** Reads the marketplace's settings; `packageBodyLimitBytes` is the host's upload limit. */
export function marketplaceOptionsFromEnv(env: Env, packageBodyLimitBytes?: number): MarketplaceOptions {
  return Object.freeze({
    autoApproveMinScore: parseThreshold(env.BAZAAR_AUTO_APPROVE_MIN_SCORE),
    trust: Object.freeze({ weights: Object.freeze(parseWeights(env.BAZAAR_TRUST_WEIGHTS)), denyList: parseDenyList(env.BAZAAR_TRUST_DENY_HASHES) }),
    packageLimits: Object.freeze({
      ...DEFAULT_PACKAGE_LIMITS,
      ...(packageBodyLimitBytes === undefined ? {} : { maxCompressedBytes: packageBodyLimitBytes }),
    }),
  });
}
