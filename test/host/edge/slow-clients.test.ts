/**
 * Slow and greedy clients (issue "Harden the edge", item 1), against the
 * host's real HTTP server with short deadlines: a client dripping header
 * bytes, or a body byte by byte, gets 408 `request_timeout` and its
 * connection closed; connections past the per-address cap get 429 and are
 * closed; meanwhile other clients are served. Outcomes are asserted, never
 * durations: each slow client is bounded by a number of writes far beyond
 * the deadline, and the test fails if the host is still listening to it.
 */
import assert from 'node:assert/strict';
import { backends, TEST_ADMIN_KEY, useDatabase } from '../../support/database-backends.js';
import { type EdgeHost, getFrom, listenEdgeHost, RawClient } from './edge-host.js';

/** Another client: Linux routes all of 127/8 to loopback, so this is another peer address. */
const OTHER_ADDRESS = '127.0.0.2';

function assertJsonError(client: RawClient, status: number, code: string): void {
  const answer = client.answer();
  assert.equal(answer.status, status, client.text.slice(0, 300));
  assert.equal(answer.headers.connection, 'close');
  assert.equal(answer.headers['x-content-type-options'], 'nosniff');
  assert.match(answer.headers['x-request-id'] ?? '', /^[A-Za-z0-9._:-]{8,128}$/);
  const body = JSON.parse(answer.body) as { error: { code: string }; requestId: string };
  assert.equal(body.error.code, code);
  assert.equal(body.requestId, answer.headers['x-request-id']);
}

for (const backend of backends.slice(0, 1)) {
  describe(`edge: slow clients (${backend.name})`, function () {
    this.timeout(60_000);
    const database = useDatabase(backend, {
      BAZAAR_HEADERS_TIMEOUT_MS: '200',
      BAZAAR_BODY_TIMEOUT_MS: '300',
      BAZAAR_KEEP_ALIVE_TIMEOUT_MS: '200',
    });
    let edge: EdgeHost;
    before(async () => {
      edge = await listenEdgeHost(database.current);
    });
    after(() => edge.close());

    it('should take its deadlines from the configuration', () => {
      assert.equal(edge.server.headersTimeout, 200);
      assert.equal(edge.server.requestTimeout, 500);
      assert.equal(edge.server.keepAliveTimeout, 200);
    });

    it('should answer a client dripping its headers with 408 request_timeout and close it, serving others meanwhile', async () => {
      const slow = await RawClient.open(edge.port);
      slow.write('GET /healthz HTTP/1.1\r\nHost: edge.test\r\nX-Slow: ');
      const dripping = slow.drip('a', 50, 400); // 20 s of bytes, a hundred times the deadline
      assert.equal((await getFrom(edge.port, '/healthz', OTHER_ADDRESS)).status, 200);
      await dripping;
      assert.ok(await slow.waitClosed(10_000), 'the host kept a slow-header connection open');
      assertJsonError(slow, 408, 'request_timeout');
    });

    it('should answer a body arriving byte by byte with 408 request_timeout and close it, serving others meanwhile', async () => {
      for (const [path, type] of [['/v1/tenants', 'application/json'], ['/v1/packages', 'application/gzip']] as const) {
        const slow = await RawClient.open(edge.port);
        slow.write(
          `POST ${path} HTTP/1.1\r\nHost: edge.test\r\nAuthorization: Bearer ${TEST_ADMIN_KEY}\r\n` +
            `Content-Type: ${type}\r\nContent-Length: 100000\r\n\r\n`,
        );
        const dripping = slow.drip(' ', 50, 400);
        const other = await getFrom(edge.port, '/v1/tenants?limit=1', OTHER_ADDRESS, { authorization: `Bearer ${TEST_ADMIN_KEY}` });
        assert.equal(other.status, 200);
        await dripping;
        assert.ok(await slow.waitClosed(10_000), `the host kept a slow-body connection open (${path})`);
        assertJsonError(slow, 408, 'request_timeout');
      }
    });

    it('should close an idle kept-alive connection', async () => {
      const client = await RawClient.open(edge.port);
      client.write('GET /healthz HTTP/1.1\r\nHost: edge.test\r\n\r\n');
      await client.waitAnswer(10_000);
      assert.equal(client.answer().status, 200);
      assert.ok(await client.waitClosed(10_000), 'the idle connection stayed open');
    });
  });

  describe(`edge: connections per client address (${backend.name})`, function () {
    this.timeout(60_000);
    const database = useDatabase(backend, { BAZAAR_MAX_CONNECTIONS_PER_ADDRESS: '3' });
    let edge: EdgeHost;
    before(async () => {
      edge = await listenEdgeHost(database.current);
    });
    after(() => edge.close());

    it('should answer connections over the cap with 429 rate_limited and close them, and serve other addresses', async () => {
      const held = await Promise.all([1, 2, 3].map(() => RawClient.open(edge.port)));
      const over = await RawClient.open(edge.port);
      over.write('GET /healthz HTTP/1.1\r\nHost: edge.test\r\n\r\n');
      assert.ok(await over.waitClosed(10_000), 'the connection over the cap stayed open');
      assertJsonError(over, 429, 'rate_limited');
      assert.match(over.answer().headers['retry-after'] ?? '', /^[0-9]+$/);

      // Another address is not affected, and the held connections still work.
      assert.equal((await getFrom(edge.port, '/healthz', OTHER_ADDRESS)).status, 200);
      held[0]!.write('GET /healthz HTTP/1.1\r\nHost: edge.test\r\n\r\n');
      await held[0]!.waitAnswer(10_000);
      assert.equal(held[0]!.answer().status, 200);

      // A closed connection frees its place.
      held[1]!.destroy();
      let served = false;
      for (let attempt = 0; attempt < 100 && !served; attempt++) {
        const again = await RawClient.open(edge.port);
        again.write('GET /healthz HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n');
        await again.waitAnswer(10_000);
        served = again.answer().status === 200;
        again.destroy();
      }
      assert.ok(served, 'a place freed by a closed connection was never given again');
      for (const client of held) client.destroy();
    });
  });
}
