/**
 * A host "process" for HTTP tests: the real dependency graph (`buildDeps`) and
 * app on a test database, driven through supertest with `app.callback()`,
 * never a port. Several test hosts on one database stand for several host
 * processes behind a load balancer.
 */
import type Koa from 'koa';
import type { Knex } from 'knex';
import supertest from 'supertest';
import { createApp } from '../../host/wiring/app.js';
import { bootstrapOperator } from '../../host/tenants/bootstrap-operator.js';
import { buildDeps, closeDeps, startDeps } from '../../host/wiring/build-deps.js';
import type { Clock } from '../../host/foundation/clock.js';
import type { AppDeps } from '../../host/wiring/deps.js';
import type { EventPublisher } from '../../host/webhooks/domain-events.js';
import type { Limits } from '../../host/limits/index.js';
import { createLogger, type Logger } from '../../host/foundation/logger.js';
import { createSandboxRuntime } from '../../runtime/index.js';
import { type CacheGeneration, InProcessCacheGeneration } from '../../host/foundation/cache-generation.js';
import { TEST_ADMIN_KEY, type TestDatabase } from './database-backends.js';

/** A clock tests move by hand. */
export class FakeClock implements Clock {
  #now: number;

  constructor(start: Date = new Date()) {
    this.#now = start.getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  advance(ms: number): void {
    this.#now += ms;
  }
}

export interface TestHost {
  readonly app: Koa;
  readonly deps: AppDeps;
  readonly clock: FakeClock;
  /** Log lines the host wrote (JSON strings). */
  readonly logs: string[];
  readonly adminKey: string;
  /** supertest bound to this host's app. */
  http(): supertest.Agent;
  /** Stop this host (flushes pending writes); the database stays open. */
  close(): Promise<void>;
}

export interface TestHostOptions {
  /** Use this knex instead of the suite's main one (a second "process"). */
  readonly db?: Knex;
  readonly clock?: FakeClock;
  /** Where the host's domain events go (a recording publisher); default: the webhook outbox. */
  readonly events?: EventPublisher;
  /** Run the webhook dispatcher loop (default false: tests call `deps.webhookDispatcher.runOnce()`). */
  readonly dispatchWebhooks?: boolean;
  /** Counters shared with other test hosts (e.g. on one Redis); default: built from the config. */
  readonly limits?: Limits;
}

/**
 * Test hosts on one database are one OS process standing for several host
 * processes: they share one in-process cache generation, as real processes
 * share Redis's, so a write through one invalidates the caches of all.
 */
const generations = new WeakMap<TestDatabase, CacheGeneration>();

function sharedGeneration(database: TestDatabase): CacheGeneration {
  let generation = generations.get(database);
  if (generation === undefined) {
    generation = new InProcessCacheGeneration();
    generations.set(database, generation);
  }
  return generation;
}

/** Build a host on `database`, bootstrapped with `TEST_ADMIN_KEY` as its operator key. */
export async function startTestHost(database: TestDatabase, options: TestHostOptions = {}): Promise<TestHost> {
  const logs: string[] = [];
  const logger: Logger = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const clock = options.clock ?? new FakeClock();
  // One sandbox worker, started only if the test executes something (2-core CI machines).
  const runtime = createSandboxRuntime({ workers: 1, startOnDemand: true });
  const deps = buildDeps({
    config: database.config,
    db: options.db ?? database.db,
    logger,
    clock,
    runtime,
    ...(options.events === undefined ? {} : { events: options.events }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    cacheGeneration: sharedGeneration(database),
    closeDatabase: false,
  });
  // Tests drive the loops (rollup, breaker, billing periods, webhook rounds unless asked) by hand.
  await startDeps(deps, { skip: ['analytics', 'installs', 'billing', ...(options.dispatchWebhooks === true ? [] : ['webhooks'])] });
  await bootstrapOperator(deps);
  const app = createApp(deps) as unknown as Koa;
  return {
    app,
    deps,
    clock,
    logs,
    adminKey: TEST_ADMIN_KEY,
    // A fresh callback per agent, so middleware a test adds after start-up is included.
    http: () => supertest.agent(app.callback()),
    // The database belongs to the suite: only stop what this host started.
    close: () => closeDeps(deps),
  };
}

/** `Authorization` header for a key. */
export function bearer(key: string): { Authorization: string } {
  return { Authorization: `Bearer ${key}` };
}

/** Create a tenant as the operator and answer its JSON. */
export async function createTenant(
  host: TestHost,
  body: { name?: string; slug: string; ownerEmail?: string; tier?: string },
): Promise<{ id: string; slug: string; status: string; tier: string }> {
  const res = await host
    .http()
    .post('/v1/tenants')
    .set(bearer(host.adminKey))
    .send({ name: body.name ?? body.slug, ownerEmail: body.ownerEmail ?? `owner@${body.slug}.example`, ...body });
  if (res.status !== 201) throw new Error(`createTenant: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; slug: string; status: string; tier: string };
}

/** Create an API key for a tenant as the operator and answer `{id, key}`. */
export async function createKey(
  host: TestHost,
  tenantId: string,
  scopes: string[],
  extra: { expiresAt?: string; name?: string } = {},
): Promise<{ id: string; key: string }> {
  const res = await host
    .http()
    .post(`/v1/tenants/${tenantId}/api-keys`)
    .set(bearer(host.adminKey))
    .send({ name: extra.name ?? 'test key', scopes, ...(extra.expiresAt ? { expiresAt: extra.expiresAt } : {}) });
  if (res.status !== 201) throw new Error(`createKey: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; key: string };
}
