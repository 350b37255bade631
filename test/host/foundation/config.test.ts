import assert from 'node:assert/strict';
import { isBazaarError } from '../../../manifests/errors.js';
import { loadConfig, unknownSettings } from '../../../host/foundation/config.js';

describe('host/config', () => {
  it('should apply the documented defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.databaseUrl, null);
    assert.equal(config.dataDir, './.bazaar');
    assert.equal(config.redisUrl, null);
    assert.equal(config.adminKey, null);
    assert.equal(config.allowPrivateNetworks, false);
    assert.equal(config.jsonBodyLimitBytes, 1024 * 1024);
    assert.equal(config.packageBodyLimitBytes, 5 * 1024 * 1024);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.tiers.free.limits.executionsPerMonth, 1000);
    assert.equal(config.tiers.enterprise.limits.maxInstalls, null);
  });

  it('should coerce numbers and booleans from strings', () => {
    const config = loadConfig({ PORT: '9090', BAZAAR_ALLOW_PRIVATE_NETWORKS: '1', BAZAAR_JSON_BODY_LIMIT_BYTES: '2048' });
    assert.equal(config.port, 9090);
    assert.equal(config.allowPrivateNetworks, true);
    assert.equal(config.jsonBodyLimitBytes, 2048);
  });

  it('should default the edge to 20 s for headers, 30 s for a body, 100 connections and 30 failed authentications a minute per address, and no trusted proxy', () => {
    assert.deepEqual(loadConfig({}).edge, {
      headersTimeoutMs: 20_000,
      bodyTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnectionsPerAddress: 100,
      trustedProxies: [],
      authFailuresPerMinute: 30,
      metricsToken: null,
    });
    assert.deepEqual(loadConfig({ BAZAAR_TRUSTED_PROXIES: ' 10.0.0.0/8, 192.0.2.7,fd00::/8 ' }).edge.trustedProxies, ['10.0.0.0/8', '192.0.2.7', 'fd00::/8']);
  });

  it('should keep failed executions\' logs 7 days by default, successes\' only when asked, and refuse a negative retention', () => {
    assert.deepEqual(loadConfig({}).executionLogs, { retentionDays: 7, keepSucceeded: false });
    assert.deepEqual(loadConfig({ BAZAAR_EXECUTION_LOG_RETENTION_DAYS: '0', BAZAAR_EXECUTION_LOG_KEEP_SUCCEEDED: 'true' }).executionLogs, { retentionDays: 0, keepSucceeded: true });
    for (const [name, value] of [['BAZAAR_EXECUTION_LOG_RETENTION_DAYS', '-1'], ['BAZAAR_EXECUTION_LOG_RETENTION_DAYS', '1.5'], ['BAZAAR_EXECUTION_LOG_KEEP_SUCCEEDED', 'yes']]) {
      assert.throws(() => loadConfig({ [name!]: value }), (err: unknown) => isBazaarError(err) && err.message.includes(name!), `${name}=${value}`);
    }
  });

  it('should treat empty variables as unset', () => {
    assert.equal(loadConfig({ PORT: '', DATABASE_URL: '' }).databaseUrl, null);
  });

  it('should be deeply frozen', () => {
    const config = loadConfig({});
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.tiers.free.limits));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
  });

  for (const [name, value] of [
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['REDIS_URL', 'http://localhost'],
    ['BAZAAR_ADMIN_KEY', 'bzr_ABCDEF'],
    ['BAZAAR_ADMIN_KEY', 'bzr_0123456789ABCDEF0123456789abcdef'],
    ['BAZAAR_LOG_LEVEL', 'loud'],
    ['BAZAAR_ALLOW_PRIVATE_NETWORKS', 'yes'],
    ['BAZAAR_PACKAGE_BODY_LIMIT_BYTES', '-1'],
    ['BAZAAR_HEADERS_TIMEOUT_MS', '10'],
    ['BAZAAR_MAX_CONNECTIONS_PER_ADDRESS', '0'],
    ['BAZAAR_TRUSTED_PROXIES', '10.0.0.0/33'],
    ['BAZAAR_TRUSTED_PROXIES', 'lb.internal'],
    ['BAZAAR_METRICS_TOKEN', 'short'],
    ['BAZAAR_METRICS_TOKEN', 'has a space in it, sixteen+'],
  ] as const) {
    it(`should refuse ${name}=${value} naming the variable`, () => {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (err: unknown) => isBazaarError(err) && err.code === 'invalid_request' && err.message.includes(name),
      );
    });
  }

  it('should accept a well-formed admin key and report unknown BAZAAR_ variables', () => {
    const key = 'bzr_0123456789abcdef0123456789abcdef';
    assert.equal(loadConfig({ BAZAAR_ADMIN_KEY: key }).adminKey, key);
    assert.deepEqual(unknownSettings({ BAZAAR_ADMN_KEY: 'x', BAZAAR_LOG_LEVEL: 'info', HOME: '/' }), ['BAZAAR_ADMN_KEY']);
    // The CLI's own settings share the shell: not typos.
    assert.deepEqual(unknownSettings({ BAZAAR_HOST: 'http://h', BAZAAR_KEY: 'k' }), []);
  });
});
