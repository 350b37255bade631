/**
 * Rate limits over HTTP (docs/http-api.md "Limits on every request"): per
 * tenant, by tier, on every authenticated request, with the contract's headers
 * and 429 `rate_limited`.
 */
import assert from 'node:assert/strict';
import { backends, useDatabase } from '../../support/database-backends.js';
import { bearer, createKey, createTenant, startTestHost, type TestHost } from '../../support/test-host.js';

const backend = backends[0]!;

describe('rate limit middleware', () => {
  const database = useDatabase(backend);
  let host: TestHost;
  let slowKey: string;
  let otherKey: string;
  let slowTenantId: string;

  before(async () => {
    host = await startTestHost(database.current);
    const slow = await createTenant(host, { slug: 'slowpoke' });
    const other = await createTenant(host, { slug: 'bystander' });
    slowTenantId = slow.id;
    // Three requests a minute for this tenant only, through the operator's limit override.
    const put = await host.http().put(`/v1/tenants/${slow.id}/settings`).set(bearer(host.adminKey)).send({ limits: { requestsPerMinute: 3 } });
    assert.equal(put.status, 200);
    slowKey = (await createKey(host, slow.id, ['billing:read'])).key;
    otherKey = (await createKey(host, other.id, ['billing:read'])).key;
  });
  after(() => host.close());

  const ownTenant = (key: string, id: string) => host.http().get(`/v1/tenants/${id}`).set(bearer(key));

  it('should count down X-RateLimit-Remaining and refuse the request over the limit with Retry-After', async () => {
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await ownTenant(slowKey, slowTenantId);
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-ratelimit-limit'], '3');
      assert.ok(Number(res.headers['x-ratelimit-reset']) >= 0);
      remaining.push(res.headers['x-ratelimit-remaining'] as string);
    }
    assert.deepEqual(remaining, ['2', '1', '0']);
    const refused = await ownTenant(slowKey, slowTenantId);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'rate_limited');
    assert.ok(Number(refused.headers['retry-after']) >= 1);
    assert.equal(refused.headers['x-ratelimit-remaining'], '0');
    assert.ok(refused.headers['x-request-id']);
  });

  it('should leave other tenants unaffected', async () => {
    const res = await host.http().get('/v1/tenants').set(bearer(host.adminKey));
    assert.equal(res.status, 200);
    const bystander = (res.body.items as { id: string; slug: string }[]).find((t) => t.slug === 'bystander')!;
    const own = await ownTenant(otherKey, bystander.id);
    assert.equal(own.status, 200);
    assert.equal(own.headers['x-ratelimit-limit'], '60');
  });

  it('should allow requests again once the window has passed', async () => {
    host.clock.advance(61_000);
    const res = await ownTenant(slowKey, slowTenantId);
    assert.equal(res.status, 200);
  });

  it('should not count anonymous requests', async () => {
    const res = await host.http().get('/healthz');
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-ratelimit-limit'], undefined);
  });
});
