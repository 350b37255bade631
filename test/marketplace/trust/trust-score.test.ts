import assert from 'node:assert/strict';
import { analyzeCode } from '../../../marketplace/trust/code-analysis.js';
import { CRITICAL_CAP, computeTrust, type TrustInputs } from '../../../marketplace/trust/trust-score.js';
import { DEFAULT_TRUST_WEIGHTS, normaliseWeights, riskLevel } from '../../../marketplace/trust/trust-report.js';
import { CLEAN_CODE, NO_COMMUNITY, manifest } from '../fixtures.js';

const NOW = new Date('2025-06-01T00:00:00.000Z');

function inputs(overrides: Partial<TrustInputs> = {}): TrustInputs {
  const m = overrides.manifest ?? manifest();
  return {
    manifest: m,
    packageSha256: 'b'.repeat(64),
    analysis: analyzeCode({ 'index.js': CLEAN_CODE }, m),
    releases: [{ version: m.version, status: 'pending_review', publishedAt: NOW.toISOString() }],
    execution: null,
    community: NO_COMMUNITY,
    now: NOW,
    ...overrides,
  };
}

const signals = (r: ReturnType<typeof computeTrust>, factor: string) => r.evidence.filter((e) => e.factor === factor).map((e) => e.signal);

describe('trust score', () => {
  it('should map scores to risk levels at the documented boundaries', () => {
    assert.deepEqual([85, 84, 70, 69, 50, 49, 30, 29, 0].map(riskLevel), ['minimal', 'low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical']);
  });

  it('should weigh the six factors with the default weights', () => {
    const r = computeTrust(inputs());
    const expected = Math.round(Object.entries(r.factors).reduce((s, [f, v]) => s + v * DEFAULT_TRUST_WEIGHTS[f as keyof typeof r.factors], 0));
    assert.equal(r.score, expected);
    assert.equal(r.risk, riskLevel(r.score));
    assert.equal(r.factors.executionHistory, 70, 'prior without executions');
  });

  it('should use operator weights', () => {
    const weights = normaliseWeights({ codeQuality: 0, executionHistory: 0, security: 1, community: 0, maintenance: 0, compliance: 0 });
    assert.equal(computeTrust(inputs(), { weights, denyList: new Set() }).score, 100);
  });

  it('should cap the score and mark a critical finding for a deny-listed hash', () => {
    const r = computeTrust(inputs(), { weights: DEFAULT_TRUST_WEIGHTS, denyList: new Set(['b'.repeat(64)]) });
    assert.ok(r.hasCriticalFinding);
    assert.ok(r.score <= CRITICAL_CAP);
    assert.equal(r.risk, 'critical');
    assert.ok(signals(r, 'security').includes('known-bad-hash'));
  });

  it('should blend execution history toward observations', () => {
    const good = computeTrust(inputs({ execution: { executions: 200, succeeded: 200, timeouts: 0, memoryLimitExceeded: 0, pluginErrors: 0 } }));
    const bad = computeTrust(inputs({ execution: { executions: 200, succeeded: 100, timeouts: 80, memoryLimitExceeded: 20, pluginErrors: 0 } }));
    assert.ok(good.factors.executionHistory > 90);
    assert.ok(bad.factors.executionHistory < 50);
    assert.ok(signals(bad, 'executionHistory').includes('observed-executions'));
  });

  it('should raise community with installs, ratings and publisher age', () => {
    const base = computeTrust(inputs()).factors.community;
    const r = computeTrust(inputs({ community: { distinctInstallers: 30, ratingCount: 5, ratingAverage: 4.6, publisherCreatedAt: '2023-01-01T00:00:00Z', publisherVerified: true } }));
    assert.ok(r.factors.community > base);
    for (const s of ['installs', 'ratings', 'publisher-age', 'publisher-verified']) assert.ok(signals(r, 'community').includes(s), s);
  });

  it('should lower maintenance for yanked siblings and stale releases', () => {
    const fresh = computeTrust(inputs()).factors.maintenance;
    const releases = [
      { version: '0.9.0', status: 'yanked' as const, publishedAt: '2022-01-01T00:00:00Z' },
      { version: '1.0.0', status: 'pending_review' as const, publishedAt: '2022-02-01T00:00:00Z' },
    ];
    const r = computeTrust(inputs({ releases }));
    assert.ok(r.factors.maintenance < fresh);
    assert.ok(signals(r, 'maintenance').includes('yanked-versions'));
    assert.ok(signals(r, 'maintenance').includes('stale'));
  });

  it('should lower compliance for an invalid license and a missing privacy policy', () => {
    const m = manifest({ license: 'Not A License', permissions: { network: { hosts: ['api.example.com'] } } });
    const r = computeTrust(inputs({ manifest: m }));
    assert.equal(r.factors.compliance, 45);
    assert.ok(signals(r, 'compliance').includes('invalid-license'));
    assert.ok(signals(r, 'compliance').includes('missing-privacy-policy'));
    assert.ok(signals(r, 'security').includes('network-permission'));
    const ok = computeTrust(inputs({ manifest: manifest({ license: '(MIT OR Apache-2.0)' }) }));
    assert.equal(ok.factors.compliance, 100);
  });
});
