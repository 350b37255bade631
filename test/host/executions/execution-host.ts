/**
 * The cast and props of install and execution tests: a host on the suite's
 * database, a publisher tenant `examples` (whose slug is the examples' scope),
 * installing tenants with their keys, and packages published and approved
 * through the API: the examples/ folders and hostile code built here.
 */
import { fileURLToPath } from 'node:url';
import type supertest from 'supertest';
import { packDirectory } from '../../../marketplace/package-archive.js';
import type { TestDatabase } from '../../support/database-backends.js';
import { manifestOf, tgzOf } from '../../support/tar-builder.js';
import { bearer, createKey, createTenant, startTestHost, type TestHost } from '../../support/test-host.js';

export { bearer };

export interface Publisher {
  readonly key: string;
  readonly tenantId: string;
}

export interface Installer {
  readonly id: string;
  /** `plugins:install` + `plugins:execute`. */
  readonly key: string;
}

/** A host plus the `examples` publisher. */
export async function startExecutionHost(database: TestDatabase): Promise<{ host: TestHost; publisher: Publisher }> {
  const host = await startTestHost(database);
  const tenant = await createTenant(host, { slug: 'examples', tier: 'pro' });
  const { key } = await createKey(host, tenant.id, ['plugins:publish']);
  return { host, publisher: { key, tenantId: tenant.id } };
}

/** A tenant that installs and executes, on `tier`, with optional limit overrides (operator-set). */
export async function createInstaller(host: TestHost, slug: string, tier = 'pro', limits?: Record<string, number>): Promise<Installer> {
  const tenant = await createTenant(host, { slug, tier });
  if (limits !== undefined) await putSettings(host, tenant.id, { limits });
  const { key } = await createKey(host, tenant.id, ['plugins:install', 'plugins:execute']);
  return { id: tenant.id, key };
}

/** PUT /v1/tenants/:id/settings as the operator. */
export async function putSettings(host: TestHost, tenantId: string, settings: Record<string, unknown>): Promise<void> {
  const res = await host.http().put(`/v1/tenants/${tenantId}/settings`).set(bearer(host.adminKey)).send(settings);
  if (res.status !== 200) throw new Error(`putSettings: ${res.status} ${JSON.stringify(res.body)}`);
}

/** The .tgz of an examples/ folder. */
export function examplePackage(name: string): Promise<Buffer> {
  return packDirectory(fileURLToPath(new URL(`../../../../examples/${name}`, import.meta.url)));
}

/** A .tgz of `manifest` overrides (on a valid base) and files. */
export function packageOf(overrides: Record<string, unknown>, files: Record<string, string>): Buffer {
  return tgzOf([
    { path: 'package/manifest.json', data: JSON.stringify(manifestOf({ description: 'test plugin', ...overrides })) },
    ...Object.entries(files).map(([path, data]) => ({ path: `package/${path}`, data })),
  ]);
}

/** `/v1/plugins/%40examples%2Fslugify/...`. */
export function pluginPath(name: string, ...rest: string[]): string {
  return ['/v1/plugins', encodeURIComponent(name), ...rest].join('/');
}

/** Publish a package; answers `{name, version}` (pending review). */
export async function publish(host: TestHost, publisher: Publisher, tgz: Buffer): Promise<{ name: string; version: string }> {
  const res = await host.http().post('/v1/packages').set(bearer(publisher.key)).set('Content-Type', 'application/gzip').send(tgz);
  if (res.status !== 201) throw new Error(`publish: ${res.status} ${JSON.stringify(res.body)}`);
  return { name: res.body.name as string, version: res.body.version as string };
}

/** Publish and approve (the operator reviews). */
export async function publishApproved(host: TestHost, publisher: Publisher, tgz: Buffer): Promise<{ name: string; version: string }> {
  const published = await publish(host, publisher, tgz);
  const res = await host
    .http()
    .post(pluginPath(published.name, 'versions', published.version, 'review'))
    .set(bearer(host.adminKey))
    .send({ decision: 'approve', notes: 'reviewed in tests' });
  if (res.status !== 200) throw new Error(`approve: ${res.status} ${JSON.stringify(res.body)}`);
  return published;
}

/** POST /v1/installs. */
export function install(host: TestHost, key: string, body: Record<string, unknown>): supertest.Test {
  return host.http().post('/v1/installs').set(bearer(key)).send(body);
}

/** POST /v1/installs and expect 201; answers the install's id. */
export async function installOk(host: TestHost, key: string, body: Record<string, unknown>): Promise<string> {
  const res = await install(host, key, body);
  if (res.status !== 201) throw new Error(`install: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** POST /v1/installs/:id/executions. */
export function execute(host: TestHost, key: string, installId: string, body: Record<string, unknown>): supertest.Test {
  return host.http().post(`/v1/installs/${installId}/executions`).set(bearer(key)).send(body);
}

/** Rows of the usage ledger of a tenant. */
export async function usageRows(host: TestHost, tenantId: string): Promise<{ execution_id: string; status: string; error_code: string | null }[]> {
  return host.deps.db('usage_records').where({ tenant_id: tenantId }).select('execution_id', 'status', 'error_code');
}

/**
 * Hostile and misbehaving actions, each reached through the API: an endless
 * loop, a throw, an output that breaks its schema, and a strict input schema.
 */
export const HOSTILE_SOURCE = `
export function spin() { for (;;) {} }
export function boom() { throw new Error('boom'); }
export function wrong() { return { nope: true }; }
export function echo(input) { return { ok: true, n: input.n }; }
`;

export function hostilePackage(name = '@examples/hostile'): Buffer {
  const ok = { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } };
  return packageOf(
    {
      name,
      actions: {
        spin: { output: ok },
        boom: { output: ok },
        wrong: { output: ok },
        echo: { input: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } }, output: ok },
      },
      defaultAction: 'echo',
      limits: { cpuMs: 50, memoryMb: 32, timeoutMs: 1000 },
    },
    { 'index.js': HOSTILE_SOURCE },
  );
}
