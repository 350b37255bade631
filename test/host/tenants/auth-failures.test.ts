/**
 * Failed authentication is throttled per client address (issue "Harden the
 * edge", item 2): random `bzr_` keys from one address get 401 up to the
 * threshold, then 429 `rate_limited` with `Retry-After`; a valid key from the
 * same address keeps working; `X-Forwarded-For` counts only from a trusted
 * proxy; the count is shared by hosts on one Redis (when `REDIS_URL` is set);
 * two `Authorization` headers are 400. Over real HTTP (supertest listens on
 * a loopback port, so the peer address is 127.0.0.1).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type supertest from 'supertest';
import { backends, TEST_ADMIN_KEY, useDatabase } from '../../support/database-backends.js';
import { limitsBackends, useLimits } from '../../support/redis-backends.js';
import { bearer, createKey, createTenant, startTestHost, type TestHost } from '../../support/test-host.js';

const randomKey = (): string => `bzr_${randomBytes(16).toString('hex')}`;

function assertThrottled(res: supertest.Response): void {
  assert.equal(res.status, 429, JSON.stringify(res.body));
  assert.equal(res.body.error.code, 'rate_limited');
  assert.match(String(res.headers['retry-after']), /^[1-9][0-9]*$/);
}

for (const backend of backends.slice(0, 1)) {
  describe(`edge: failed authentication per client address (${backend.name})`, function () {
    this.timeout(60_000);
    const database = useDatabase(backend, { BAZAAR_AUTH_FAILURES_PER_MINUTE: '5' });
    let host: TestHost;
    let tenantKey: string;
    before(async () => {
      host = await startTestHost(database.current);
      const tenant = await createTenant(host, { slug: 'victim' });
      tenantKey = (await createKey(host, tenant.id, ['billing:read'])).key;
    });
    after(() => host.close());

    it('should answer 401 up to the threshold, then 429 with Retry-After, and keep serving valid keys from that address', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await host.http().get('/v1/tenants').set(bearer(randomKey()))).status);
      assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
      assert.deepEqual(new Set(statuses.slice(5)), new Set([429]));
      assertThrottled(await host.http().get('/v1/tenants').set(bearer(randomKey())));
      // Malformed headers are failures too, and a forged X-Forwarded-For from an untrusted peer changes nothing.
      assertThrottled(await host.http().get('/v1/tenants').set('Authorization', 'Basic Zm9vOmJhcg=='));
      assertThrottled(await host.http().get('/v1/tenants').set(bearer(randomKey())).set('X-Forwarded-For', '198.51.100.77'));

      // The owners of valid keys, on the same address, are not locked out; anonymous routes still answer.
      assert.equal((await host.http().get('/v1/tenants').set(bearer(host.adminKey))).status, 200);
      assert.equal((await host.http().get('/v1/subscription').set(bearer(tenantKey))).status, 200);
      assert.equal((await host.http().get('/healthz')).status, 200);
      const log = host.logs.filter((l) => l.includes('"level":50'));
      assert.deepEqual(log, []);
    });

    it('should refuse two Authorization headers with 400 invalid_request', async () => {
      // Node's client sends an array value as two header lines.
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const listening = host.app.listen(0, '127.0.0.1', () => {
          const { port } = listening.address() as AddressInfo;
          const req = request(
            { host: '127.0.0.1', port, path: '/v1/tenants', headers: { Authorization: [`Bearer ${TEST_ADMIN_KEY}`, `Bearer ${randomKey()}`] } },
            (res) => {
              let body = '';
              res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => {
                listening.close();
                resolve({ status: res.statusCode ?? 0, body });
              });
            },
          );
          req.on('error', reject).end();
        });
      });
      assert.equal(answer.status, 400);
      assert.equal(JSON.parse(answer.body).error.code, 'invalid_request');
    });
  });

  describe(`edge: failed authentication behind trusted proxies (${backend.name})`, function () {
    this.timeout(60_000);
    const database = useDatabase(backend, { BAZAAR_AUTH_FAILURES_PER_MINUTE: '3', BAZAAR_TRUSTED_PROXIES: '127.0.0.0/8, ::1' });
    let host: TestHost;
    before(async () => {
      host = await startTestHost(database.current);
    });
    after(() => host.close());

    const fail = (forwardedFor: string) => host.http().get('/v1/tenants').set(bearer(randomKey())).set('X-Forwarded-For', forwardedFor);

    it('should count each client named by a trusted proxy on its own', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await fail('203.0.113.1')).status, 401);
      assertThrottled(await fail('203.0.113.1'));
      // Through two trusted hops, the same client; a client-supplied entry left of it is not believed.
      assertThrottled(await fail('192.0.2.99, 203.0.113.1, 127.0.0.5'));
      // Another client behind the same proxy is not affected.
      assert.equal((await fail('203.0.113.2')).status, 401);
      assert.equal((await host.http().get('/v1/tenants').set(bearer(host.adminKey)).set('X-Forwarded-For', '203.0.113.1')).status, 200);
    });
  });

  for (const limitsBackend of limitsBackends) {
    describe(`edge: failed authentication counted across hosts (${backend.name}, ${limitsBackend.name})`, function () {
      this.timeout(60_000);
      const database = useDatabase(backend, { BAZAAR_AUTH_FAILURES_PER_MINUTE: '4' });
      const limits = useLimits(limitsBackend);
      let hosts: TestHost[] = [];
      before(async () => {
        const db = await database.current.openAnother();
        hosts = [
          await startTestHost(database.current, { limits: limits.current.limits }),
          await startTestHost(database.current, { db, limits: await limits.current.openAnother() }),
        ];
      });
      after(async () => {
        for (const h of hosts) await h.close();
      });

      it('should throttle an address whose failures are spread over several hosts', async () => {
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) statuses.push((await hosts[i % 2]!.http().get('/v1/tenants').set(bearer(randomKey()))).status);
        assert.deepEqual(statuses, [401, 401, 401, 401]);
        for (const h of hosts) assertThrottled(await h.http().get('/v1/tenants').set(bearer(randomKey())));
        for (const h of hosts) assert.equal((await h.http().get('/v1/tenants').set(bearer(h.adminKey))).status, 200);
      });
    });
  }
}
