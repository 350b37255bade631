/**
 * The host functions behind ctx.kv and ctx.fetch, on every backend: the
 * feature-flags example through the API (kv private to each install), the kv
 * bounds as catchable errors, and fetch to a local server, allowed only for
 * granted hosts and, without BAZAAR_ALLOW_PRIVATE_NETWORKS, never to private
 * addresses (checked before any byte reaches the server).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPrivateAddress } from '../../../host/foundation/address-policy.js';
import { InstallFetch } from '../../../host/installs/fetch-port.js';
import { InstallKv } from '../../../host/installs/kv-store.js';
import { KvRepository } from '../../../host/installs/kv-repository.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import type { TestHost } from '../../support/test-host.js';
import {
  type Installer,
  type Publisher,
  createInstaller,
  examplePackage,
  execute,
  install,
  installOk,
  packageOf,
  publishApproved,
  startExecutionHost,
} from './execution-host.js';

const FLAGS = '@examples/feature-flags';

const PROBE_SOURCE = `
export async function probe(input, ctx) {
  try {
    if (input.kvKey !== undefined) { await ctx.kv.put(input.kvKey, 1); return { ok: true }; }
    const r = await ctx.fetch(input.url);
    return { ok: true, status: r.status, body: r.body };
  } catch (e) {
    return { ok: false, message: String(e.message) };
  }
}
`;

/** A local server: /hello answers text, /away redirects off-host, /big answers 64 KiB. */
async function startServer(): Promise<{ server: Server; port: number; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    if (req.url === '/away') res.writeHead(302, { location: 'http://example.invalid/' }).end();
    else if (req.url === '/big') res.end('x'.repeat(64 * 1024));
    else res.end('hello from the test server');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, hits: () => hits };
}

const refused = (err: unknown) => (err as { code?: string }).code === 'invalid_request';

describe('fetch address policy', () => {
  it('should refuse loopback, private, link-local, CGNAT, multicast, unspecified and mapped-private addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '224.0.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'nonsense']) {
      assert.equal(isPrivateAddress(a), true, a);
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPrivateAddress(a), false, a);
  });
});

for (const backend of backends) {
  describe(`kv and fetch (${backend.name})`, () => {
    const database = useDatabase(backend, { BAZAAR_ALLOW_PRIVATE_NETWORKS: '1' });
    let host: TestHost;
    let publisher: Publisher;
    let alpha: Installer;
    let beta: Installer;
    let local: Awaited<ReturnType<typeof startServer>>;
    let probe: string;

    before(async () => {
      local = await startServer();
      ({ host, publisher } = await startExecutionHost(database.current));
      await publishApproved(host, publisher, await examplePackage('feature-flags'));
      const hosts = [`127.0.0.1:${local.port}`, `localhost:${local.port}`];
      await publishApproved(
        host,
        publisher,
        packageOf({ name: '@examples/probe', actions: { probe: {} }, permissions: { kv: true, network: { hosts } } }, { 'index.js': PROBE_SOURCE }),
      );
      alpha = await createInstaller(host, 'alpha');
      beta = await createInstaller(host, 'beta');
      probe = await installOk(host, alpha.key, { plugin: '@examples/probe', grantPermissions: { kv: true, network: { hosts } } });
    });

    after(async () => {
      await host?.close();
      await new Promise((resolve) => local?.server.close(resolve));
    });

    it('should run the feature-flags example on a kv private to each install', async () => {
      const a = await installOk(host, alpha.key, { plugin: FLAGS, grantPermissions: { kv: true } });
      const b = await installOk(host, beta.key, { plugin: FLAGS, grantPermissions: { kv: true } });
      await execute(host, alpha.key, a, { action: 'setFlag', input: { flag: 'beta-ui', enabled: true, rolloutPercent: 0, allowUsers: ['ada'] } }).expect(200);
      const on = await execute(host, alpha.key, a, { input: { flag: 'beta-ui', userId: 'ada' } }).expect(200);
      assert.deepEqual(on.body.output, { flag: 'beta-ui', enabled: true, reason: 'allow_list' });
      const off = await execute(host, alpha.key, a, { input: { flag: 'beta-ui', userId: 'bob' } }).expect(200);
      assert.equal(off.body.output.reason, 'outside_rollout');
      const list = await execute(host, alpha.key, a, { action: 'listFlags', input: {} }).expect(200);
      assert.deepEqual(list.body.output.flags.map((f: { flag: string }) => f.flag), ['beta-ui']);
      const other = await execute(host, beta.key, b, { input: { flag: 'beta-ui', userId: 'ada' } }).expect(200);
      assert.equal(other.body.output.reason, 'unknown_flag');
      await execute(host, alpha.key, a, { action: 'deleteFlag', input: { flag: 'beta-ui' } }).expect(200);
      const gone = await execute(host, alpha.key, a, { input: { flag: 'beta-ui', userId: 'ada' } }).expect(200);
      assert.equal(gone.body.output.reason, 'unknown_flag');
    });

    it('should hand the plugin a catchable error for a kv bound crossed', async () => {
      const res = await execute(host, alpha.key, probe, { input: { kvKey: 'k'.repeat(300) } }).expect(200);
      assert.equal(res.body.output.ok, false);
      assert.match(res.body.output.message, /key longer than 256/);
    });

    it('should enforce value size and key count in the store', async () => {
      const kv = new InstallKv(new KvRepository(host.deps.db), probe, { maxKeyLength: 256, maxValueBytes: 100, maxKeys: 2 });
      await assert.rejects(kv.put('big', 'x'.repeat(200)), refused);
      await kv.put('one', { n: 1 });
      await kv.put('two', [2]);
      await assert.rejects(kv.put('three', 3), refused);
      await kv.put('two', 'replaced'); // replacing an existing key is not a new key
      assert.equal(await kv.get('two'), 'replaced');
      assert.deepEqual(await kv.list(''), ['one', 'two']);
      assert.equal(await kv.delete('one'), true);
      assert.equal(await kv.delete('one'), false);
      assert.equal(await kv.get('one'), null);
    });

    it('should fetch a granted host when private networks are allowed', async () => {
      const res = await execute(host, alpha.key, probe, { input: { url: `http://127.0.0.1:${local.port}/hello` } }).expect(200);
      assert.deepEqual(res.body.output, { ok: true, status: 200, body: 'hello from the test server' });
    });

    it('should refuse hosts that are not granted, and a manifest host the tenant did not grant', async () => {
      const res = await execute(host, alpha.key, probe, { input: { url: `http://127.0.0.2:${local.port}/hello` } }).expect(200);
      assert.equal(res.body.output.ok, false);
      const partial = await install(host, beta.key, { plugin: '@examples/probe', grantPermissions: { kv: true, network: { hosts: [`127.0.0.1:${local.port}`] } } }).expect(400);
      assert.equal(partial.body.error.code, 'permissions_not_granted');
    });

    it('should refuse private addresses, literal or resolved, before connecting', async () => {
      const mapped = new URL(`http://[::ffff:127.0.0.1]:${local.port}/`).host; // normalised: [::ffff:7f00:1]:port
      const strict = new InstallFetch([`127.0.0.1:${local.port}`, `localhost:${local.port}`, mapped], { allowPrivateNetworks: false });
      const before = local.hits();
      await assert.rejects(strict.fetch({ url: `http://127.0.0.1:${local.port}/hello` }), refused);
      await assert.rejects(strict.fetch({ url: `http://localhost:${local.port}/hello` }), refused);
      await assert.rejects(strict.fetch({ url: `http://[::ffff:127.0.0.1]:${local.port}/hello` }), refused);
      assert.equal(local.hits(), before);
    });

    it('should not follow redirects, cap response bodies and refuse other schemes', async () => {
      const open = new InstallFetch([`127.0.0.1:${local.port}`], { allowPrivateNetworks: true, maxResponseBytes: 1024 });
      const away = await open.fetch({ url: `http://127.0.0.1:${local.port}/away` });
      assert.equal(away.status, 302);
      assert.equal(away.headers.location, 'http://example.invalid/');
      await assert.rejects(open.fetch({ url: `http://127.0.0.1:${local.port}/big` }), refused);
      await assert.rejects(open.fetch({ url: `file:///etc/passwd` }), refused);
      await assert.rejects(open.fetch({ url: `http://127.0.0.1:${local.port + 1}/` }), refused);
    });
  });
}
