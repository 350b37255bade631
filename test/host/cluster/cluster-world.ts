/**
 * The cast of the cluster tests: three real host processes on one fresh
 * PostgreSQL database and one Redis database; the third one (host C) reaches
 * both through TCP proxies the tests can cut. A publisher `examples` has two
 * approved plugins:
 *
 * - `@examples/counter` (1.0.0 and 1.1.0): cheap; answers its input `n`, the
 *   install's config `tag` and its own version, so a test can tell which
 *   version and config an execution ran with on which host.
 * - `@examples/gate`: fetches the test's GateServer and waits for its answer,
 *   so it runs exactly as long as the test holds the gate.
 *
 * Every test creates its own tenant: counters of one case never leak into
 * another.
 */
import { type HostProcess, startHosts } from '../../support/host-processes.js';
import { manifestOf, tgzOf } from '../../support/tar-builder.js';
import { type Reply, type SendOptions, send } from './cluster-http.js';
import { type ClusterServers, serverOf, viaPort } from './cluster-servers.js';
import { GateServer } from './gate-server.js';
import { TcpProxy } from './tcp-proxy.js';

/** The operator key every host registers at start-up. */
export const ADMIN_KEY = 'bzr_c1a5e7c1a5e7c1a5e7c1a5e7c1a5e7c1';
export const COUNTER = '@examples/counter';
export const GATE = '@examples/gate';

export interface Tenant {
  readonly id: string;
  /** plugins:install + plugins:execute. */
  readonly key: string;
  readonly keyId: string;
}

export interface ClusterWorld {
  readonly servers: ClusterServers;
  /** A, B, C. */
  readonly hosts: readonly HostProcess[];
  /** Host C's way to PostgreSQL and to Redis. */
  readonly pgProxy: TcpProxy;
  readonly redisProxy: TcpProxy;
  readonly gate: GateServer;
  /** HTTP to host `index` (0 = A). */
  http(index: number, method: string, path: string, options?: SendOptions): Promise<Reply>;
  /** A tenant with limit overrides (set by the operator) and a key. */
  createTenant(slug: string, tier: string, limits?: Record<string, number>): Promise<Tenant>;
  /** Install as `tenant` (through host A); answers the install id. */
  install(tenant: Tenant, body: Record<string, unknown>): Promise<string>;
  /** POST /v1/installs/:id/executions on host `index`. */
  execute(index: number, tenant: Tenant, installId: string, input: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** The tenant's rows in the usage ledger, read from the database itself. */
  recordedIds(tenantId: string): Promise<Set<string>>;
}

/** Start the gate, the proxies and the three hosts; publish the plugins. Everything is closed with `servers`. */
export async function startClusterWorld(servers: ClusterServers): Promise<ClusterWorld> {
  const gate = await GateServer.start();
  servers.defer(() => gate.stop());
  const pg = serverOf(servers.databaseUrl);
  const rd = serverOf(servers.redisUrl);
  const pgProxy = await TcpProxy.start(pg.host, pg.port);
  servers.defer(() => pgProxy.close());
  const redisProxy = await TcpProxy.start(rd.host, rd.port);
  servers.defer(() => redisProxy.close());

  const viaProxies = (i: number) => i === 2;
  const hosts = await startHosts(3, (i) => ({
    DATABASE_URL: viaProxies(i) ? viaPort(servers.databaseUrl, pgProxy.port) : servers.databaseUrl,
    REDIS_URL: viaProxies(i) ? viaPort(servers.redisUrl, redisProxy.port) : servers.redisUrl,
    BAZAAR_ADMIN_KEY: ADMIN_KEY,
    // The gate plugin fetches 127.0.0.1.
    BAZAAR_ALLOW_PRIVATE_NETWORKS: '1',
    // One sandbox worker per host: three hosts on a 2-core machine.
    BAZAAR_SANDBOX_WORKERS: '1',
  }));
  // Registered after the proxies, so closed before them (newest first): hosts shut down with their dependencies up.
  servers.defer(async () => {
    await Promise.allSettled(hosts.map((h) => h.stop()));
  });

  const http = (index: number, method: string, path: string, options?: SendOptions) => {
    const host = hosts[index];
    if (host === undefined) throw new Error(`no host ${index}`);
    return send(host.url, method, path, options);
  };
  const expect = async (what: string, status: number, reply: Promise<Reply>): Promise<Reply> => {
    const res = await reply;
    if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  };

  const createTenant = async (slug: string, tier: string, limits?: Record<string, number>): Promise<Tenant> => {
    const admin = { key: ADMIN_KEY };
    const tenant = await expect('create tenant', 201, http(0, 'POST', '/v1/tenants', { ...admin, body: { name: slug, slug, ownerEmail: `owner@${slug}.example`, tier } }));
    const id = tenant.body.id as string;
    if (limits !== undefined) await expect('put settings', 200, http(0, 'PUT', `/v1/tenants/${id}/settings`, { ...admin, body: { limits } }));
    const scopes = slug === 'examples' ? ['plugins:publish'] : ['plugins:install', 'plugins:execute'];
    const key = await expect('create key', 201, http(0, 'POST', `/v1/tenants/${id}/api-keys`, { ...admin, body: { name: 'cluster', scopes } }));
    return { id, key: key.body.key as string, keyId: key.body.id as string };
  };

  // The publisher, and the plugins every case uses, published and approved through host A.
  const publisher = await createTenant('examples', 'pro');
  const publishApproved = async (tgz: Buffer): Promise<void> => {
    const published = await expect('publish', 201, http(0, 'POST', '/v1/packages', { key: publisher.key, body: tgz }));
    const path = `/v1/plugins/${encodeURIComponent(published.body.name as string)}/versions/${published.body.version as string}/review`;
    await expect('approve', 200, http(0, 'POST', path, { key: ADMIN_KEY, body: { decision: 'approve', notes: 'cluster test' } }));
  };
  await publishApproved(counterPackage('1.0.0'));
  await publishApproved(counterPackage('1.1.0'));
  await publishApproved(gatePackage(gate.hostPort));

  return {
    servers,
    hosts,
    pgProxy,
    redisProxy,
    gate,
    http,
    createTenant,
    install: async (tenant, body) => (await expect('install', 201, http(0, 'POST', '/v1/installs', { key: tenant.key, body }))).body.id as string,
    execute: (index, tenant, installId, input, headers) =>
      http(index, 'POST', `/v1/installs/${installId}/executions`, { key: tenant.key, body: { input }, ...(headers === undefined ? {} : { headers }) }),
    recordedIds: async (tenantId) => {
      const rows: { execution_id: string }[] = await servers.db('usage_records').where({ tenant_id: tenantId }).select('execution_id');
      return new Set(rows.map((r) => r.execution_id));
    },
  };
}

/** `@examples/counter` at `version`: answers `{n, tag, version}`. */
function counterPackage(version: string): Buffer {
  const source = `export function echo(input, ctx) { return { n: input.n ?? null, tag: ctx.config.tag, version: ${JSON.stringify(version)} }; }\n`;
  return packageOf(
    {
      name: COUNTER,
      version,
      actions: { echo: { input: { type: 'object' }, output: { type: 'object', required: ['version'] } } },
      defaultAction: 'echo',
      config: { type: 'object', properties: { tag: { type: 'string', default: 'none' } } },
      limits: { cpuMs: 50, memoryMb: 32, timeoutMs: 5_000 },
    },
    source,
  );
}

/** `@examples/gate`: fetches `input.url` (the gate) and answers once the gate does. */
function gatePackage(hostPort: string): Buffer {
  const source = 'export async function wait(input, ctx) { const r = await ctx.fetch(input.url); return { status: r.status, body: r.body }; }\n';
  return packageOf(
    {
      name: GATE,
      actions: { wait: { input: { type: 'object', required: ['url'] }, output: { type: 'object' } } },
      defaultAction: 'wait',
      permissions: { network: { hosts: [hostPort] } },
      // Long enough to be held while the test counts answers; under the operator's 30 s ceiling.
      limits: { cpuMs: 50, memoryMb: 32, timeoutMs: 25_000 },
    },
    source,
  );
}

function packageOf(overrides: Record<string, unknown>, source: string): Buffer {
  return tgzOf([
    { path: 'package/manifest.json', data: JSON.stringify(manifestOf({ description: 'cluster test plugin', ...overrides })) },
    { path: 'package/index.js', data: source },
  ]);
}
