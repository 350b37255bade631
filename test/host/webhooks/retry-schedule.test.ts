/**
 * The retry schedule and its config: the defaults retry for at least 24 h,
 * a configuration that would give up sooner is refused at boot, and the
 * signature scheme verifies only with the right secret and body.
 */
import assert from 'node:assert/strict';
import { loadConfig } from '../../../host/foundation/config.js';
import { retryDelayMs, retrySpanMs } from '../../../host/foundation/retry-schedule.js';
import { signatureHeader, verifySignature } from '../../../host/webhooks/signing.js';

describe('webhook retry schedule', () => {
  it('should double from the base up to the cap, and retry for at least 24 h by default', () => {
    const { webhooks } = loadConfig({});
    const delays = Array.from({ length: webhooks.maxAttempts }, (_, i) => retryDelayMs(webhooks, i + 1));
    assert.deepEqual(delays.slice(0, 4), [30_000, 60_000, 120_000, 240_000]);
    assert.equal(delays[delays.length - 1], null);
    assert.ok(delays.every((d) => d === null || d <= webhooks.backoffMaxMs));
    assert.ok(retrySpanMs(webhooks) >= 24 * 3600 * 1000);
  });

  it('should refuse a configuration that gives up before 24 h', () => {
    assert.throws(() => loadConfig({ BAZAAR_WEBHOOK_MAX_ATTEMPTS: '5' }), (err: { code?: string }) => err.code === 'invalid_request');
    assert.throws(() => loadConfig({ BAZAAR_WEBHOOK_BACKOFF_MAX_MS: '60000' }), (err: { code?: string }) => err.code === 'invalid_request');
    assert.throws(() => loadConfig({ BAZAAR_WEBHOOK_TIMEOUT_MS: '5' }), (err: { code?: string }) => err.code === 'invalid_request');
  });

  it('should sign "<t>.<body>" so that only the right secret and body verify', () => {
    const header = signatureHeader('whsec_a', 1_700_000_000, '{"x":1}');
    assert.match(header, /^t=1700000000,v1=[0-9a-f]{64}$/);
    assert.equal(verifySignature('whsec_a', header, '{"x":1}'), 1_700_000_000);
    assert.equal(verifySignature('whsec_b', header, '{"x":1}'), null);
    assert.equal(verifySignature('whsec_a', header, '{"x":2}'), null);
    assert.equal(verifySignature('whsec_a', 'garbage', '{"x":1}'), null);
  });
});
