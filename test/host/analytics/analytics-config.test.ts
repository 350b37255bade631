/**
 * The `circuitBreaker` section and rollup interval of host/foundation/config.ts, and the
 * background loop both run on (its behaviour, never its timing).
 */
import assert from 'node:assert/strict';
import { isBazaarError } from '../../../manifests/errors.js';
import { PeriodicTask } from '../../../host/foundation/periodic-task.js';
import { loadConfig } from '../../../host/foundation/config.js';
import { createLogger } from '../../../host/foundation/logger.js';

describe('analytics config', () => {
  it('should default the circuit breaker to on, with documented thresholds', () => {
    const config = loadConfig({});
    assert.deepEqual(config.circuitBreaker, {
      enabled: true,
      windowMs: 900_000,
      minExecutions: 50,
      failureRate: 0.5,
      timeoutRate: 0.25,
      checkIntervalMs: 30_000,
    });
    assert.equal(config.analyticsRollupIntervalMs, 60_000);
    assert.ok(Object.isFrozen(config.circuitBreaker));
  });

  it('should read every setting from the environment', () => {
    const config = loadConfig({
      BAZAAR_CIRCUIT_BREAKER_ENABLED: 'false',
      BAZAAR_CIRCUIT_BREAKER_WINDOW_MS: '60000',
      BAZAAR_CIRCUIT_BREAKER_MIN_EXECUTIONS: '3',
      BAZAAR_CIRCUIT_BREAKER_FAILURE_RATE: '0.75',
      BAZAAR_CIRCUIT_BREAKER_TIMEOUT_RATE: '0.1',
      BAZAAR_CIRCUIT_BREAKER_CHECK_INTERVAL_MS: '5000',
      BAZAAR_ANALYTICS_ROLLUP_INTERVAL_MS: '10000',
    });
    assert.deepEqual(config.circuitBreaker, { enabled: false, windowMs: 60_000, minExecutions: 3, failureRate: 0.75, timeoutRate: 0.1, checkIntervalMs: 5000 });
    assert.equal(config.analyticsRollupIntervalMs, 10_000);
  });

  it('should refuse out-of-range values at boot', () => {
    for (const [name, value] of [
      ['BAZAAR_CIRCUIT_BREAKER_FAILURE_RATE', '1.5'],
      ['BAZAAR_CIRCUIT_BREAKER_FAILURE_RATE', '0'],
      ['BAZAAR_CIRCUIT_BREAKER_TIMEOUT_RATE', 'high'],
      ['BAZAAR_CIRCUIT_BREAKER_MIN_EXECUTIONS', '0'],
      ['BAZAAR_CIRCUIT_BREAKER_WINDOW_MS', '10'],
      ['BAZAAR_CIRCUIT_BREAKER_ENABLED', 'maybe'],
      ['BAZAAR_ANALYTICS_ROLLUP_INTERVAL_MS', '5'],
    ] as const) {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (err: unknown) => isBazaarError(err) && err.code === 'invalid_request' && err.message.includes(name),
        `${name}=${value}`,
      );
    }
  });
});

describe('PeriodicTask', () => {
  it('should keep running after a failed run, and stop for good', async () => {
    const logs: string[] = [];
    let calls = 0;
    let third: () => void = () => undefined;
    const reachedThird = new Promise<void>((resolve) => (third = resolve));
    const task = new PeriodicTask({
      name: 'test loop',
      intervalMs: 1,
      logger: createLogger({ level: 'debug', write: (line) => logs.push(line) }),
      run: async () => {
        calls += 1;
        if (calls === 1) throw new Error('first run fails');
        if (calls === 3) third();
      },
    });
    task.start();
    task.start(); // idempotent: still one loop
    await reachedThird;
    await task.stop();
    const stoppedAt = calls;
    await new Promise((resolve) => setImmediate(resolve));
    await task.stop();
    assert.equal(calls, stoppedAt, 'no run after stop()');
    assert.equal(task.started, false);
    assert.ok(logs.some((line) => line.includes('test loop failed')));
  });
});
