/**
 * A host for marketplace HTTP tests: the real dependency graph (buildDeps) on
 * a test database, with marketplace options the test chooses, plus the cast
 * every marketplace test needs (two publisher tenants, a reviewer, keys) and
 * package builders.
 */
import type Koa from 'koa';
import type { Knex } from 'knex';
import supertest from 'supertest';
import { createApp } from '../../../host/wiring/app.js';
import { bootstrapOperator } from '../../../host/tenants/bootstrap-operator.js';
import { buildDeps, closeDeps } from '../../../host/wiring/build-deps.js';
import type { AppDeps } from '../../../host/wiring/deps.js';
import { silentLogger } from '../../../host/foundation/logger.js';
import { marketplaceOptionsFromEnv } from '../../../marketplace/marketplace-options.js';
import { TEST_ADMIN_KEY, type TestDatabase } from '../../support/database-backends.js';
import { manifestOf, tgzOf } from '../../support/tar-builder.js';
import { FakeClock, bearer, createKey, createTenant, type TestHost } from '../../support/test-host.js';

export interface MarketplaceHostOptions {
  /** Marketplace env, e.g. `{ BAZAAR_AUTO_APPROVE_MIN_SCORE: '60' }`. */
  readonly env?: Readonly<Record<string, string>>;
  /** A second knex on the same data: another host process. */
  readonly db?: Knex;
  readonly clock?: FakeClock;
}

/** Start a host; the suite owns the database, `close()` stops only the host. */
export async function startMarketplaceHost(database: TestDatabase, options: MarketplaceHostOptions = {}): Promise<TestHost> {
  const clock = options.clock ?? new FakeClock();
  const marketplace = marketplaceOptionsFromEnv(options.env ?? {}, database.config.packageBodyLimitBytes);
  const deps: AppDeps = buildDeps({ config: database.config, db: options.db ?? database.db, logger: silentLogger, clock, marketplace, closeDatabase: false });
  await bootstrapOperator(deps);
  const app = createApp(deps) as unknown as Koa;
  const callback = app.callback();
  return {
    app,
    deps,
    clock,
    logs: [],
    adminKey: TEST_ADMIN_KEY,
    http: () => supertest.agent(callback),
    close: () => closeDeps(deps),
  };
}

/** Keys of the cast. */
export interface Cast {
  /** Publisher of `@acme/*`. */
  readonly acme: string;
  readonly acmeTenantId: string;
  /** Publisher of `@globex/*`, also an installer: another tenant. */
  readonly globex: string;
  /** A reviewer (platform staff tenant). */
  readonly reviewer: string;
  /** A key of acme without `plugins:publish`. */
  readonly acmeReader: string;
}

export async function createCast(host: TestHost): Promise<Cast> {
  const acme = await createTenant(host, { slug: 'acme' });
  const globex = await createTenant(host, { slug: 'globex' });
  const staff = await createTenant(host, { slug: 'staff' });
  return {
    acme: (await createKey(host, acme.id, ['plugins:publish'])).key,
    acmeTenantId: acme.id,
    globex: (await createKey(host, globex.id, ['plugins:publish', 'plugins:install'])).key,
    reviewer: (await createKey(host, staff.id, ['reviews:write'])).key,
    acmeReader: (await createKey(host, acme.id, ['plugins:install'])).key,
  };
}

export const CLEAN_SOURCE = 'export function hello(input) {\n  return { greeting: `hello ${input.name ?? "world"}` };\n}\n';

/** A .tgz of a manifest (valid by default) and its files. */
export function packageOf(overrides: Record<string, unknown> = {}, files: Record<string, string> = { 'index.js': CLEAN_SOURCE }): Buffer {
  const manifest = manifestOf({
    description: 'Greets people by name',
    homepage: 'https://example.com/hello',
    repository: 'https://example.com/hello.git',
    ...overrides,
  });
  return tgzOf([
    { path: 'package/manifest.json', data: JSON.stringify(manifest) },
    ...Object.entries(files).map(([path, data]) => ({ path: `package/${path}`, data })),
  ]);
}

/** POST /v1/packages with `key`. */
export function publish(host: TestHost, key: string, body: Buffer): supertest.Test {
  return host.http().post('/v1/packages').set(bearer(key)).set('Content-Type', 'application/gzip').send(body);
}

/** `/v1/plugins/%40acme%2Fhello/...`: names travel URL-encoded. */
export function pluginPath(name: string, ...rest: string[]): string {
  return ['/v1/plugins', encodeURIComponent(name), ...rest].join('/');
}

export { bearer };

/** supertest parser that keeps a binary body as a Buffer. */
export function binaryParser(res: supertest.Response, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  const stream = res as unknown as NodeJS.ReadableStream;
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}
