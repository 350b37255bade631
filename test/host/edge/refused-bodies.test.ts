/**
 * A refused upload must not break the connection it came on: the client reads
 * its 4xx, the answer says `Connection: close`, the host closes after it has
 * been written (draining what still arrives, within bounds), and the client's
 * next request (a fresh connection) is served. Driven through undici (Node's
 * fetch, kept-alive connections) as clients are, and through raw sockets.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { backends, TEST_ADMIN_KEY, useDatabase } from '../../support/database-backends.js';
import { createKey, createTenant } from '../../support/test-host.js';
import { type EdgeHost, listenEdgeHost, RawClient } from './edge-host.js';

const JSON_LIMIT = 64 * 1024;
const PACKAGE_LIMIT = 256 * 1024;

/** A request body that arrives in pieces, without Content-Length (chunked), as a streaming client sends it. */
function streamed(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const n = Math.min(16 * 1024, bytes - sent);
      sent += n;
      controller.enqueue(new Uint8Array(n).fill(0x20));
    },
  });
}

for (const backend of backends.slice(0, 1)) {
  describe(`edge: refused uploads end their connection cleanly (${backend.name})`, function () {
    this.timeout(60_000);
    const database = useDatabase(backend, {
      BAZAAR_JSON_BODY_LIMIT_BYTES: String(JSON_LIMIT),
      BAZAAR_PACKAGE_BODY_LIMIT_BYTES: String(PACKAGE_LIMIT),
    });
    let edge: EdgeHost;
    let publisherKey: string;
    const admin = { authorization: `Bearer ${TEST_ADMIN_KEY}` };

    before(async () => {
      edge = await listenEdgeHost(database.current);
      const tenant = await createTenant(edge.host, { slug: 'uploader' });
      publisherKey = (await createKey(edge.host, tenant.id, ['plugins:publish'])).key;
    });
    after(() => edge.close());

    /** The requests a client sends next; every one must be answered. */
    async function nextRequestsWork(slug: string): Promise<void> {
      assert.equal((await fetch(`${edge.url}/healthz`)).status, 200);
      const created = await fetch(`${edge.url}/v1/tenants`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ name: slug, slug, ownerEmail: `ops@${slug}.test` }),
      });
      assert.equal(created.status, 201);
      assert.equal((await fetch(`${edge.url}/v1/tenants?limit=1`, { headers: admin })).status, 200);
    }

    it('should answer a streamed JSON body over the limit with 413 and Connection: close, and serve the next requests', async () => {
      const res = await fetch(`${edge.url}/v1/tenants`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: streamed(JSON_LIMIT * 8),
        duplex: 'half',
      } as RequestInit);
      assert.equal(res.status, 413);
      assert.equal(res.headers.get('connection'), 'close');
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'payload_too_large');
      await nextRequestsWork('after-json');
    });

    it('should do the same for a package upload over the limit, streamed or declared', async () => {
      const bomb = gzipSync(randomBytes(PACKAGE_LIMIT * 2)); // incompressible: the gzip is over the limit too
      const publisher = { authorization: `Bearer ${publisherKey}`, 'content-type': 'application/gzip' };
      for (const body of [bomb, streamed(PACKAGE_LIMIT * 4)]) {
        const res = await fetch(`${edge.url}/v1/packages`, { method: 'POST', headers: publisher, body, duplex: 'half' } as RequestInit);
        assert.equal(res.status, 413);
        assert.equal(res.headers.get('connection'), 'close');
        assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'payload_too_large');
        await nextRequestsWork(`after-package-${Buffer.isBuffer(body) ? 'declared' : 'streamed'}`);
      }
    });

    it('should write the whole answer, then close the connection while the client is still sending', async () => {
      const client = await RawClient.open(edge.port);
      client.write(
        'POST /v1/tenants HTTP/1.1\r\nHost: edge.test\r\nConnection: keep-alive\r\n' +
          `Authorization: Bearer ${TEST_ADMIN_KEY}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      );
      const chunk = `4000\r\n${' '.repeat(0x4000)}\r\n`;
      await client.drip(chunk, 5, 400); // up to 6.4 MB, a hundred times the limit: stops when the host closes
      assert.ok(await client.waitClosed(10_000), 'the host kept the connection open');
      const answer = client.answer();
      assert.equal(answer.status, 413);
      assert.equal(answer.headers.connection, 'close');
      assert.equal(JSON.parse(answer.body).error.code, 'payload_too_large');
    });

    it('should keep the connection alive after a refused body it read to the end', async () => {
      const client = await RawClient.open(edge.port);
      const body = '{"name":';
      client.write(
        `POST /v1/tenants HTTP/1.1\r\nHost: edge.test\r\nAuthorization: Bearer ${TEST_ADMIN_KEY}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      await client.waitAnswer(10_000);
      const answer = client.answer();
      assert.equal(answer.status, 400);
      assert.notEqual(answer.headers.connection, 'close');
      assert.equal(client.closed, false);
      client.destroy();
    });
  });
}
